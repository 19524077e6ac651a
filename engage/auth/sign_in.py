"""Signing in and out: password, then a code when two-factor is on; lockout; the audit trail.

No Flask here: the views keep the browser session, these functions keep the accounts.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from engage.auth import two_factor
from engage.auth.errors import CodeRefused, SignInRefused
from engage.auth.passwords import hash_password, needs_rehash, verify_password
from engage.database import write_transaction
from engage.models import User
from engage.repository import users
from engage.services import audit

LOCK_AFTER_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)


@dataclass(frozen=True)
class PasswordAccepted:
    user_id: int
    # Set when the person is fully signed in; None while a two-factor code is still due.
    session_token: str | None


def check_password(
    session: Session, email: str, password: str, *, now: datetime | None = None
) -> PasswordAccepted:
    """Check an email and password; raise ``SignInRefused`` whatever the reason."""
    now = now or datetime.now(UTC)
    accepted: PasswordAccepted | None = None
    with write_transaction(session):
        user = users.fetch_user_by_email(session, email)
        if user is None:
            verify_password(None, password)
            _failed(session, None, "unknown_account", now)
        elif _locked(user, now) or not user.active:
            verify_password(None, password)
            _failed(session, user, "locked" if user.active else "inactive", now)
        elif not verify_password(user.password_hash, password):
            _count_failure(session, user, "password", now)
        else:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            if user.totp_secret:
                accepted = PasswordAccepted(user.id, None)
            else:
                accepted = PasswordAccepted(user.id, _signed_in(session, user, now, "password"))
    if accepted is None:
        raise SignInRefused()
    return accepted


def check_code(session: Session, user_id: int, code: str, *, now: datetime | None = None) -> str:
    """Finish a sign-in with the authenticator code; return the session token."""
    now = now or datetime.now(UTC)
    token: str | None = None
    refused: type[Exception] = CodeRefused
    with write_transaction(session):
        user = users.fetch_user(session, user_id)
        if user is None or not user.active or _locked(user, now) or not user.totp_secret:
            refused = SignInRefused
            if user is not None:
                _failed(session, user, "locked" if user.active else "inactive", now)
        elif two_factor.code_is_valid(user.totp_secret, code, now):
            token = _signed_in(session, user, now, "password_and_code")
        else:
            _count_failure(session, user, "code", now)
            if _locked(user, now):
                refused = SignInRefused
    if token is None:
        raise refused()
    return token


def sign_out(session: Session, session_token: str, *, now: datetime | None = None) -> None:
    """End every session of the account (a new token invalidates them all)."""
    with write_transaction(session):
        user = users.fetch_user_by_session_token(session, session_token)
        if user is None:
            return
        user.session_token = new_session_token()
        audit.record(session, user_id=user.id, action="sign_out", now=now)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def _locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _signed_in(session: Session, user: User, now: datetime, method: str) -> str:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(session, user_id=user.id, action="sign_in", detail={"method": method}, now=now)
    return user.session_token


def _count_failure(session: Session, user: User, reason: str, now: datetime) -> None:
    user.failed_logins = (user.failed_logins or 0) + 1
    detail: dict[str, object] = {"reason": reason, "failures": user.failed_logins}
    if user.failed_logins >= LOCK_AFTER_FAILURES:
        user.locked_until = now + LOCK_FOR
        user.failed_logins = 0
        detail["locked_until"] = user.locked_until.isoformat()
    audit.record(session, user_id=user.id, action="sign_in_failed", detail=detail, now=now)


def _failed(session: Session, user: User | None, reason: str, now: datetime) -> None:
    audit.record(
        session,
        user_id=user.id if user else None,
        action="sign_in_failed",
        detail={"reason": reason},
        now=now,
    )
