"""Small factories that fill in defaults, so a test names only what it is about."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pyotp
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engage.models import User
from forms.submission import ConcernSubmission, ContactDetails

# Every staff account a factory makes signs in with this password.
STAFF_PASSWORD = "violet harbour engine ladder"


def submission(**overrides: Any) -> ConcernSubmission:
    values: dict[str, Any] = {
        "text": "Cars racing along the High Street every night",
        "district": "fenland",
        "place": "Wisbech",
        "impact": None,
        "dealing_with_concerns": None,
        "age_band": None,
        "contact": None,
    }
    values.update(overrides)
    return ConcernSubmission(**values)


def contact(**overrides: Any) -> ContactDetails:
    values: dict[str, Any] = {"name": "A Resident", "email": "resident@example.org", "phone": None}
    values.update(overrides)
    return ContactDetails(**values)


def form_answers(**overrides: str) -> dict[str, str]:
    """What a resident fills in on the page, as posted form fields."""
    values = {
        "concern": "Cars racing along the High Street every night",
        "district": "fenland",
        "place": "Wisbech",
        "submission_id": "test-submission-0001",
        "action": "send",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


@cache
def _staff_password_hash() -> str:
    from engage.auth.passwords import hash_password

    return hash_password(STAFF_PASSWORD)


def staff_user(session: Session, role: str = "analyst", **overrides: Any) -> User:
    """A staff account, committed, ready to sign in (admins get two-factor set up)."""
    token = secrets.token_hex(8)
    values: dict[str, Any] = {
        "email": f"{role}-{token}@example.org",
        "name": f"Test {role.replace('_', ' ')}",
        "role": role,
        "district_scope": "fenland" if role == "panel" else None,
        "neighbourhood_scope": None,
        "password_hash": _staff_password_hash(),
        "must_change_password": False,
        "totp_secret": pyotp.random_base32() if role == "admin" else None,
        "active": True,
        "failed_logins": 0,
        "session_token": secrets.token_urlsafe(32),
        "created_at": datetime.now(UTC),
    }
    values.update(overrides)
    user = User(**values)
    session.add(user)
    session.commit()
    session.refresh(user)  # loaded, so tests can read it after the app context ends
    return user


def signed_in(client: FlaskClient, user: User) -> FlaskClient:
    """Sign ``user`` in on ``client`` without the sign-in pages (Flask-Login's session keys)."""
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user.session_token
        flask_session["_fresh"] = True
        flask_session.permanent = True
    return client
