"""Flask extensions, created unbound and wired to an app in ``create_app``."""

from __future__ import annotations

import time

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from werkzeug.middleware.proxy_fix import ProxyFix

from engage.models import Base

# Services return plain values after committing, so nothing needs reloading after a commit.
db = SQLAlchemy(metadata=Base.metadata, session_options={"expire_on_commit": False})
csrf = CSRFProtect()
wtforms_helpers = WTFormsHelpers()
login_manager = LoginManager()
# Limits are declared per view and counted per client address (``request.remote_addr``,
# which ``trust_proxies`` makes the real client's behind a proxy). Storage comes from
# RATELIMIT_STORAGE_URI: Redis when several processes run, memory otherwise.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def submission_limit() -> str:
    """The per-client limit on sending concerns, read from the settings on each request."""
    limit: str = current_app.config["ENGAGE_SUBMIT_RATE_LIMIT"]
    return limit


def retry_after_seconds() -> int:
    """Seconds until the limit just breached lets this client in again (for Retry-After)."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    # As Flask-Limiter counts it: reset_at is already rounded up to the next second.
    return max(1, int(breached.reset_at - time.time()))


def trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For and X-Forwarded-Proto only from ENGAGE_TRUSTED_PROXIES hops.

    With 0 (the default) the headers are ignored: anyone can send them, so trusting them
    without a proxy that overwrites them would let a client pick its own rate-limit bucket.
    """
    hops = int(app.config.get("ENGAGE_TRUSTED_PROXIES", 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
