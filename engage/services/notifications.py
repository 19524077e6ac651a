"""Queueing the notifications owed to residents when a panel sets a priority or records
what was done about it.

Owed one: a resident who left an email address and agreed to be contacted, whose concern
was in the panel's area (its district, and its neighbourhood when the panel has one), was
submitted within the meeting's evidence period (Europe/London dates, both ends included),
is counted (not merged into another, not quarantined) and has a primary theme among the
priority's themes.

Only an email address makes a resident owed a message: delivery is by email, and a
phone-only contact would wait in the outbox for a channel that does not exist.

These functions run inside the caller's transaction and never commit. The rows are written
by one ``INSERT .. SELECT .. ON CONFLICT DO NOTHING`` on the unique key
``(concern_id, kind, priority_id, action_key)``, so calling them twice, or from two
requests at once, queues each message once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, literal, null, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engage.london_time import london_midnight_utc
from engage.models import (
    Concern,
    ConcernContact,
    Notification,
    Panel,
    PanelMeeting,
    Priority,
    PriorityAction,
    PriorityTheme,
    UTCDateTime,
)
from engage.repository.concerns import counted

_COLUMNS = (
    "concern_id",
    "kind",
    "priority_id",
    "action_id",
    "action_key",
    "state",
    "created_at",
    "attempts",
)


def enqueue_priority_set(
    session: Session, priority: Priority, *, now: datetime | None = None
) -> int:
    """Queue a "your panel set a priority" message for each resident owed one; how many."""
    return _enqueue(session, priority, None, now)


def enqueue_action_recorded(
    session: Session, action: PriorityAction, *, now: datetime | None = None
) -> int:
    """Queue a "this is what was done" message for each resident owed one; how many."""
    session.flush()
    priority = session.get(Priority, action.priority_id)
    if priority is None:
        raise ValueError(f"Action {action.id} refers to no priority")
    return _enqueue(session, priority, action, now)


def owed_concerns(session: Session, priority: Priority) -> Select[int]:
    """The ids of the concerns whose residents are owed word about ``priority``."""
    panel = session.get(Panel, priority.panel_id)
    meeting = session.get(PanelMeeting, priority.meeting_id)
    if panel is None or meeting is None:
        raise ValueError(f"Priority {priority.id} has no panel or meeting")
    low = london_midnight_utc(meeting.period_start)
    high = london_midnight_utc(meeting.period_end + timedelta(days=1))
    area = [Concern.district == panel.district]
    if panel.neighbourhood is not None:
        area.append(Concern.neighbourhood == panel.neighbourhood)
    themes = select(PriorityTheme.theme).where(PriorityTheme.priority_id == priority.id)
    return (
        select(Concern.id)
        .join(ConcernContact, ConcernContact.concern_id == Concern.id)
        .where(
            *area,
            Concern.submitted_at >= literal(low, UTCDateTime()),
            Concern.submitted_at < literal(high, UTCDateTime()),
            counted(),
            Concern.theme.in_(themes.scalar_subquery()),
            ConcernContact.consent_to_contact.is_(True),
            func.coalesce(func.trim(ConcernContact.email), "") != "",
        )
    )


def _enqueue(
    session: Session, priority: Priority, action: PriorityAction | None, now: datetime | None
) -> int:
    session.flush()
    created = now or datetime.now(UTC)
    kind = "priority_set" if action is None else "action_recorded"
    action_key = 0 if action is None else action.id
    owed = owed_concerns(session, priority).subquery()
    rows = select(
        owed.c.id,
        literal(kind),
        literal(priority.id),
        null() if action is None else literal(action.id, Notification.action_id.type),
        literal(action_key),
        literal("pending"),
        literal(created, UTCDateTime()),
        literal(0),
    ).where(owed.c.id.is_not(None))  # any WHERE: else SQLite reads ON CONFLICT as a join's ON
    statement = _insert_ignoring_duplicates(session).from_select(list(_COLUMNS), rows)
    result = session.execute(statement.execution_options(preserve_rowcount=True))
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def _insert_ignoring_duplicates(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    if dialect not in ("postgresql", "sqlite"):
        raise RuntimeError(f"Notifications are not supported on {dialect}")
    return module.insert(Notification).on_conflict_do_nothing(
        index_elements=["concern_id", "kind", "priority_id", "action_key"]
    )
