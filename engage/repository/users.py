"""Reading and writing staff accounts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.models import User


def normalise_email(email: str) -> str:
    return email.strip().casefold()


def add_user(session: Session, user: User) -> User:
    session.add(user)
    session.flush()
    return user


def fetch_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def fetch_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalise_email(email))).one_or_none()


def fetch_user_by_session_token(session: Session, token: str) -> User | None:
    return session.scalars(select(User).where(User.session_token == token)).one_or_none()


def list_users(session: Session) -> Sequence[User]:
    """Everyone, active accounts first, then by name."""
    return session.scalars(
        select(User).order_by(User.active.desc(), func.lower(User.name), User.id)
    ).all()


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def count_active_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == "admin", User.active.is_(True))
        )
        or 0
    )
