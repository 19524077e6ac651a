"""Reading and writing concerns."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.models import Concern


def add_concern(session: Session, concern: Concern) -> Concern:
    session.add(concern)
    session.flush()
    return concern


def fetch_concern_by_reference(session: Session, reference: str) -> Concern | None:
    return session.scalars(select(Concern).where(Concern.reference == reference)).one_or_none()


def fetch_concern_by_idempotency_key(session: Session, key: str) -> Concern | None:
    return session.scalars(select(Concern).where(Concern.idempotency_key == key)).one_or_none()


def reference_exists(session: Session, reference: str) -> bool:
    return session.scalar(select(Concern.id).where(Concern.reference == reference)) is not None
