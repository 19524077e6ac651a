"""The signed-in person's browser session: loading them, starting and ending sessions,
and ending a session that has been idle too long or has lasted too long.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, request, session
from flask_login import login_user, logout_user
from sqlalchemy import select

from engage.extensions import db, login_manager
from engage.models import User

LAST_SEEN = "staff_last_seen"
SIGNED_IN_AT = "staff_signed_in_at"
SIGNED_OUT_REASON = "staff_signed_out"
PENDING_SIGN_IN = "staff_pending_sign_in"
# How long the code page waits for the code after a correct password.
PENDING_SECONDS = 5 * 60


def load_user(session_token: str) -> User | None:
    """Sessions carry the account's session token, so rotating it signs the person out."""
    user: User | None = db.session.scalars(
        select(User).where(User.session_token == session_token, User.active.is_(True))
    ).one_or_none()
    return user


def register_user_loader(app: Flask) -> None:
    login_manager.user_loader(load_user)


def timestamp() -> float:
    return datetime.now(UTC).timestamp()


def start_session(session_token: str) -> bool:
    """Sign in on a fresh session: nothing from before sign-in survives (session fixation)."""
    user = load_user(session_token)
    session.clear()
    if user is None:
        return False
    session.permanent = True
    login_user(user, fresh=True)
    now = timestamp()
    session[LAST_SEEN] = now
    session[SIGNED_IN_AT] = now
    return True


def end_session(reason: str | None = None) -> None:
    logout_user()
    session.clear()
    if reason:
        session[SIGNED_OUT_REASON] = reason


def begin_pending_sign_in(user_id: int, next_url: str | None) -> None:
    """Password accepted, code still due: remember who, for a few minutes only."""
    session.clear()
    session[PENDING_SIGN_IN] = {"user_id": user_id, "at": timestamp(), "next": next_url}


def pending_sign_in() -> dict[str, Any] | None:
    pending: dict[str, Any] | None = session.get(PENDING_SIGN_IN)
    if not pending or timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    return pending


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never a full address someone could slip into a link."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def register_session_rules(app: Flask) -> None:
    """End staff sessions idle for ENGAGE_STAFF_IDLE_MINUTES or older than their lifetime."""
    idle_seconds = int(app.config["ENGAGE_STAFF_IDLE_MINUTES"]) * 60
    lifetime_seconds = app.permanent_session_lifetime.total_seconds()

    @app.before_request
    def _expire_staff_session() -> None:
        if request.endpoint == "static" or "_user_id" not in session:
            return
        now = timestamp()
        last_seen = session.get(LAST_SEEN)
        signed_in_at = session.get(SIGNED_IN_AT)
        if last_seen is not None and now - float(last_seen) > idle_seconds:
            end_session("idle")
        elif signed_in_at is not None and now - float(signed_in_at) > lifetime_seconds:
            end_session("expired")
        else:
            session[LAST_SEEN] = now
            session.setdefault(SIGNED_IN_AT, now)
