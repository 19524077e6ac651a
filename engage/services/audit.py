"""Recording who did what: every view of personal data, every change, every export.

Call ``record`` inside the transaction that makes the change, so the change and its audit
event are written together or not at all. Views of personal data that change nothing use
``record_view``, which writes its own transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import AuditEvent

ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "view_personal_data",
    "create",
    "update",
    "export",
    "import",
    "account_change",
    "erase",
)


def event_values(
    *,
    user_id: int | None,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """An audit event's columns: what ``record`` adds to a session, and what a write on the
    driver itself (``engage.repository.audit_events``) inserts."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}; add it to ACTIONS")
    return {
        "at": now or datetime.now(UTC),
        "user_id": user_id,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "detail": detail or {},
    }


def record(
    session: Session,
    *,
    user_id: int | None,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    return _added(
        session,
        event_values(
            user_id=user_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail,
            now=now,
        ),
    )


def concern_change_values(
    concern_id: int,
    change: str,
    *,
    user_id: int | None,
    now: datetime | None = None,
    **detail: Any,
) -> dict[str, Any]:
    """An ``update`` of one concern: ``change`` names what changed, ``detail`` the facts
    about it (never the personal text itself)."""
    return event_values(
        user_id=user_id,
        action="update",
        object_type="concern",
        object_id=concern_id,
        detail={"change": change, **detail},
        now=now,
    )


def record_concern_change(
    session: Session,
    concern_id: int,
    change: str,
    *,
    user_id: int | None,
    now: datetime | None = None,
    **detail: Any,
) -> AuditEvent:
    return _added(
        session, concern_change_values(concern_id, change, user_id=user_id, now=now, **detail)
    )


def _added(session: Session, values: dict[str, Any]) -> AuditEvent:
    event = AuditEvent(**values)
    session.add(event)
    return event


def record_view(
    session: Session,
    *,
    user_id: int,
    object_type: str,
    object_id: str | int,
    detail: dict[str, Any] | None = None,
) -> None:
    with write_transaction(session):
        record(
            session,
            user_id=user_id,
            action="view_personal_data",
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )
