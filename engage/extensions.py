"""Flask extensions, created unbound and wired to an app in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers

from engage.models import Base

# Services return plain values after committing, so nothing needs reloading after a commit.
db = SQLAlchemy(metadata=Base.metadata, session_options={"expire_on_commit": False})
csrf = CSRFProtect()
wtforms_helpers = WTFormsHelpers()
login_manager = LoginManager()
# Limits are declared per view; storage comes from RATELIMIT_STORAGE_URI (Redis when
# several processes run, memory otherwise).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
