"""Flask extensions, created unbound and wired to an app in ``create_app``."""

from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers

from engage.models import Base

db = SQLAlchemy(metadata=Base.metadata)
csrf = CSRFProtect()
wtforms_helpers = WTFormsHelpers()
