"""Staff accounts: created and managed by admins (or the CLI), and by each person for
their own password and two-factor app. Every change is audited in its own transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engage.areas import Areas
from engage.auth import two_factor
from engage.auth.errors import AccountError, UserNotFound
from engage.auth.passwords import (
    hash_password,
    one_time_password,
    password_problem,
    verify_password,
)
from engage.auth.sign_in import new_session_token
from engage.database import write_transaction
from engage.models import ROLES, User
from engage.repository import users
from engage.services import audit

NAME_MAX = 200


def scope_for(
    areas: Areas, role: str, district: str | None, neighbourhood: str | None
) -> tuple[str | None, str | None]:
    """The (district, neighbourhood) a role is limited to: panels need a district."""
    if role not in ROLES:
        raise AccountError("Select a role", "role")
    if role != "panel":
        return None, None
    found = areas.district(district or "")
    if found is None:
        raise AccountError("Select the district this panel member covers", "district")
    if not (neighbourhood or "").strip():
        return found.id, None
    canonical = areas.match_neighbourhood(found.id, neighbourhood or "")
    if canonical is None:
        raise AccountError(
            f"Enter a neighbourhood of {found.name}, or leave it empty for the whole district",
            "neighbourhood",
        )
    return found.id, canonical


def create_account(
    session: Session,
    *,
    actor_id: int | None,
    email: str,
    name: str,
    role: str,
    district: str | None,
    neighbourhood: str | None,
    areas: Areas,
    now: datetime | None = None,
) -> tuple[User, str]:
    """A new account with a one-time password it must change at first sign-in."""
    now = now or datetime.now(UTC)
    email = _clean_email(email)
    name = _clean_name(name)
    district_scope, neighbourhood_scope = scope_for(areas, role, district, neighbourhood)
    password = one_time_password()
    try:
        with write_transaction(session):
            if users.fetch_user_by_email(session, email) is not None:
                raise AccountError("An account already uses this email address", "email")
            user = users.add_user(
                session,
                User(
                    email=email,
                    name=name,
                    role=role,
                    district_scope=district_scope,
                    neighbourhood_scope=neighbourhood_scope,
                    password_hash=hash_password(password),
                    must_change_password=True,
                    totp_secret=None,
                    active=True,
                    failed_logins=0,
                    session_token=new_session_token(),
                    created_at=now,
                ),
            )
            _audit(session, actor_id, user, "created", now, role=role, district=district_scope)
    except IntegrityError:
        # Two admins adding the same person at once: the unique email decides.
        raise AccountError("An account already uses this email address", "email") from None
    return user, password


def ensure_first_admin(
    session: Session, *, email: str, name: str, areas: Areas
) -> tuple[User, str] | None:
    """Create an admin when there are no accounts at all; otherwise do nothing."""
    if users.count_users(session) > 0:
        return None
    try:
        return create_account(
            session,
            actor_id=None,
            email=email,
            name=name,
            role="admin",
            district=None,
            neighbourhood=None,
            areas=areas,
        )
    except AccountError:
        return None  # another process created it first


def reset_password(
    session: Session, *, actor_id: int | None, user_id: int, now: datetime | None = None
) -> tuple[User, str]:
    """A new one-time password; every session of the account ends."""
    password = one_time_password()
    with write_transaction(session):
        user = _fetch(session, user_id)
        user.password_hash = hash_password(password)
        user.must_change_password = True
        user.failed_logins = 0
        user.locked_until = None
        user.session_token = new_session_token()
        _audit(session, actor_id, user, "password_reset", now)
    return user, password


def set_active(session: Session, *, actor_id: int | None, user_id: int, active: bool) -> User:
    with write_transaction(session):
        user = _fetch(session, user_id)
        if not active and actor_id == user.id:
            raise AccountError("You cannot deactivate your own account")
        if not active and user.role == "admin" and user.active:
            _keep_an_admin(session, "deactivate")
        user.active = active
        user.session_token = new_session_token()
        _audit(session, actor_id, user, "reactivated" if active else "deactivated", None)
    return user


def change_role(
    session: Session,
    *,
    actor_id: int | None,
    user_id: int,
    role: str,
    district: str | None,
    neighbourhood: str | None,
    areas: Areas,
) -> User:
    district_scope, neighbourhood_scope = scope_for(areas, role, district, neighbourhood)
    with write_transaction(session):
        user = _fetch(session, user_id)
        if user.role == "admin" and role != "admin" and user.active:
            _keep_an_admin(session, "change the role of")
        before = {"role": user.role, "district": user.district_scope}
        user.role = role
        user.district_scope = district_scope
        user.neighbourhood_scope = neighbourhood_scope
        _audit(
            session,
            actor_id,
            user,
            "role_changed",
            None,
            before=before,
            role=role,
            district=district_scope,
            neighbourhood=neighbourhood_scope,
        )
    return user


def change_own_password(
    session: Session, *, user_id: int, current_password: str, new_password: str
) -> str:
    """Set a new password and return the new session token (other sessions end)."""
    with write_transaction(session):
        user = _fetch(session, user_id)
        if not verify_password(user.password_hash, current_password):
            raise AccountError("Your current password is not right", "current_password")
        problem = password_problem(new_password, email=user.email, name=user.name)
        if problem is None and verify_password(user.password_hash, new_password):
            problem = "Your new password must be different from your current one"
        if problem is not None:
            raise AccountError(problem, "new_password")
        user.password_hash = hash_password(new_password)
        user.must_change_password = False
        user.session_token = new_session_token()
        _audit(session, user.id, user, "password_changed", None)
        return user.session_token


def enrol_two_factor(
    session: Session, *, user_id: int, secret: str, code: str, now: datetime | None = None
) -> None:
    """Turn two-factor on once the person proves their app shows the right code."""
    now = now or datetime.now(UTC)
    if not two_factor.code_is_valid(secret, code, now):
        raise AccountError("The code is not right: enter the 6-digit code your app shows", "code")
    with write_transaction(session):
        user = _fetch(session, user_id)
        user.totp_secret = secret
        _audit(session, user.id, user, "two_factor_on", now)


def remove_two_factor(session: Session, *, actor_id: int | None, user_id: int) -> User:
    """For a lost phone: the person sets it up again at their next sign-in (admins must)."""
    with write_transaction(session):
        user = _fetch(session, user_id)
        user.totp_secret = None
        user.session_token = new_session_token()
        _audit(session, actor_id, user, "two_factor_off", None)
    return user


def fetch_account(session: Session, user_id: int) -> User:
    return _fetch(session, user_id)


def _fetch(session: Session, user_id: int) -> User:
    user = users.fetch_user(session, user_id)
    if user is None:
        raise UserNotFound()
    return user


def _keep_an_admin(session: Session, what: str) -> None:
    if users.count_active_admins(session) <= 1:
        raise AccountError(f"You cannot {what} the only active admin: add another admin first")


def _clean_email(email: str) -> str:
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise AccountError(
            "Enter an email address in the correct format, like name@example.org", "email"
        ) from None
    return users.normalise_email(checked.normalized)


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise AccountError("Enter the person's full name", "name")
    if len(name) > NAME_MAX:
        raise AccountError(f"Name must be {NAME_MAX} characters or fewer", "name")
    return name


def _audit(
    session: Session,
    actor_id: int | None,
    user: User,
    change: str,
    now: datetime | None,
    **detail: object,
) -> None:
    audit.record(
        session,
        user_id=actor_id,
        action="account_change",
        object_type="user",
        object_id=user.id,
        detail={"change": change, **detail},
        now=now,
    )
