"""Flask extensions, created unbound and wired to an app in ``create_app``."""

from __future__ import annotations

import time
from typing import Any, NoReturn

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from redis.backoff import NoBackoff
from redis.retry import Retry
from werkzeug.middleware.proxy_fix import ProxyFix

from engage.models import Base

# Services return plain values after committing, so nothing needs reloading after a commit.
db = SQLAlchemy(metadata=Base.metadata, session_options={"expire_on_commit": False})
csrf = CSRFProtect()
wtforms_helpers = WTFormsHelpers()
login_manager = LoginManager()
# Limits are counted per client address (``request.remote_addr``, which ``trust_proxies``
# makes the real client's behind a proxy): declared per view for sign-in, counted in the
# views for concerns (``engage.submission_limit``). Storage comes from RATELIMIT_STORAGE_URI:
# Redis when several processes run, memory otherwise.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def limiter_storage_options(storage_uri: str) -> dict[str, object]:
    """Options for the limit storage's client (RATELIMIT_STORAGE_OPTIONS) when none are set.

    For Redis, one connection per process held by the client (redis-py's
    ``single_connection_client``, which takes a lock around each command) instead of a
    pool: every submission is counted there, and taking a connection from the pool and
    putting it back was a quarter of each count's CPU (about 30 of 135 microseconds here).
    A sync worker sends one command at a time anyway. The pool looked at a connection
    before lending it and replaced one the server had closed; the held connection instead
    retries a command once on a fresh connection when the old one turns out closed (at
    worst a count lost in transit is counted twice). Sentinel and cluster URIs build their
    clients differently and keep the library's defaults.
    """
    if storage_uri.split("://", 1)[0] in _SINGLE_REDIS_SCHEMES:
        return {"single_connection_client": True, "retry": Retry(NoBackoff(), 1)}
    return {}


_SINGLE_REDIS_SCHEMES = frozenset({"redis", "rediss", "redis+unix"})


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


class _NoSession(SecureCookieSession):
    """The empty, read-only session of a request under a sessionless prefix."""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("Requests to this URL carry no session: nothing can be kept in it")

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _refuse


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except for URLs under the prefixes given: there a
    request reads no cookie and its response sets none (the API authenticates nobody, and
    unsigning a cookie on every call costs it for nothing)."""

    def __init__(self, sessionless: tuple[str, ...]) -> None:
        self.sessionless = sessionless

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(self.sessionless):
            return _NoSession()
        return super().open_session(app, request)


def without_sessions(app: Flask, prefix: str) -> None:
    """Serve the URLs under ``prefix`` without a cookie session."""
    current = app.session_interface
    earlier = current.sessionless if isinstance(current, _SessionInterface) else ()
    if type(current) not in (SecureCookieSessionInterface, _SessionInterface):
        raise RuntimeError(f"without_sessions() cannot wrap {type(current).__name__}")
    app.session_interface = _SessionInterface((*earlier, prefix.rstrip("/") + "/"))
