"""Reading what has been done: a concern's corrections and events, and the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.london_time import london_midnight_utc
from engage.models import AuditEvent, ThemeLabel, User


@dataclass(frozen=True)
class Entry:
    """A row with the name of the person it is about (None for the system)."""

    item: AuditEvent | ThemeLabel
    person: str | None


@dataclass(frozen=True)
class AuditPage:
    entries: Sequence[Entry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def fetch_corrections(session: Session, concern_id: int) -> list[Entry]:
    rows = session.execute(
        select(ThemeLabel, User.name)
        .join(User, User.id == ThemeLabel.labelled_by)
        .where(ThemeLabel.concern_id == concern_id)
        .order_by(ThemeLabel.labelled_at.desc(), ThemeLabel.id.desc())
    ).all()
    return [Entry(label, name) for label, name in rows]


def fetch_concern_events(session: Session, concern_id: int) -> list[Entry]:
    """Changes made to a concern (not views of it), newest first."""
    rows = session.execute(
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(
            AuditEvent.object_type == "concern",
            AuditEvent.object_id == str(concern_id),
            AuditEvent.action == "update",
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ).all()
    return [Entry(event, name) for event, name in rows]


def fetch_audit_page(
    session: Session,
    *,
    user_id: int | None = None,
    action: str | None = None,
    on_or_after: date | None = None,
    on_or_before: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    where = []
    if user_id is not None:
        where.append(AuditEvent.user_id == user_id)
    if action:
        where.append(AuditEvent.action == action)
    if on_or_after:
        where.append(AuditEvent.at >= london_midnight_utc(on_or_after))
    if on_or_before:
        where.append(AuditEvent.at < london_midnight_utc(on_or_before + timedelta(days=1)))
    total = int(session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0)
    page = max(1, min(page, max(1, ceil(total / per_page))))
    rows = session.execute(
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(*where)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return AuditPage([Entry(event, name) for event, name in rows], total, page, per_page)


def fetch_people(session: Session) -> list[tuple[str, str]]:
    """(id, "Name (email)") for every account, for the audit log's filter."""
    rows = session.execute(select(User.id, User.name, User.email).order_by(User.name)).all()
    return [(str(row.id), f"{row.name} ({row.email})") for row in rows]
