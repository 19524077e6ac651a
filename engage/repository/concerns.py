"""Reading and writing concerns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engage.models import Concern, ConcernContact, ConcernTheme

# Built once: the statement is constant and only the parameters change per concern.
_INSERT_CONCERN = insert(Concern.__table__)  # type: ignore[arg-type]
_INSERT_CONTACT = insert(ConcernContact.__table__)  # type: ignore[arg-type]
_INSERT_THEME = insert(ConcernTheme.__table__)  # type: ignore[arg-type]


def _row(instance: Any, skip: tuple[str, ...]) -> dict[str, Any]:
    mapper = type(instance).__mapper__
    return {
        attr.key: getattr(instance, attr.key)
        for attr in mapper.column_attrs
        if attr.key not in skip and getattr(instance, attr.key) is not None
    }


def insert_concern(session: Session, concern: Concern) -> int:
    """Insert a new concern with its contact details and themes; return its id.

    Plain INSERTs rather than the unit of work: this is the hottest write in the service,
    and it only ever creates rows. ``concern`` itself stays unsaved (transient).
    """
    connection = session.connection()
    result = connection.execute(_INSERT_CONCERN, _row(concern, ("id",)))
    key = result.inserted_primary_key
    assert key is not None
    concern_id = int(key[0])
    if concern.contact is not None:
        row = _row(concern.contact, ("id", "concern_id"))
        connection.execute(_INSERT_CONTACT, {"concern_id": concern_id, **row})
    if concern.themes:
        connection.execute(
            _INSERT_THEME,
            [{"concern_id": concern_id, **_row(t, ("concern_id",))} for t in concern.themes],
        )
    return concern_id


def fetch_concern_by_reference(session: Session, reference: str) -> Concern | None:
    return session.scalars(select(Concern).where(Concern.reference == reference)).one_or_none()


def fetch_concern_by_idempotency_key(session: Session, key: str) -> Concern | None:
    return session.scalars(select(Concern).where(Concern.idempotency_key == key)).one_or_none()


def reference_exists(session: Session, reference: str) -> bool:
    return session.scalar(select(Concern.id).where(Concern.reference == reference)) is not None
