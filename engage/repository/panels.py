"""Reading and writing panels, their meetings and priorities, and the concerns a pack counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import literal, select
from sqlalchemy.orm import Session, selectinload

from engage.models import (
    Concern,
    EmergingIssue,
    Panel,
    PanelMeeting,
    Priority,
    PublishedQuote,
    UTCDateTime,
)
from engage.repository.concerns import counted


@dataclass(frozen=True)
class PackConcern:
    """What a pack reads of one concern: never the resident's own words or contact details."""

    id: int
    theme: str | None
    channel: str
    submitted_at: datetime
    confidence: float | None
    text_redacted: str | None


def list_panels(session: Session) -> list[Panel]:
    """District panels before their neighbourhoods, each group in name order."""
    panels = session.scalars(select(Panel)).all()
    return sorted(panels, key=lambda p: (p.district, p.neighbourhood is not None, p.name))


def panel_by_slug(session: Session, slug: str) -> Panel | None:
    return session.scalars(select(Panel).where(Panel.slug == slug)).one_or_none()


def panel_for_area(session: Session, district: str, neighbourhood: str | None) -> Panel | None:
    area = (
        Panel.neighbourhood.is_(None)
        if neighbourhood is None
        else Panel.neighbourhood == neighbourhood
    )
    return session.scalars(select(Panel).where(Panel.district == district, area)).one_or_none()


def add_panel(session: Session, panel: Panel) -> Panel:
    session.add(panel)
    session.flush()
    return panel


def fetch_counted_concerns(
    session: Session, district: str, neighbourhood: str | None, low: datetime, high: datetime
) -> list[PackConcern]:
    """Counted concerns (the rollups' rule) in an area submitted in ``[low, high)``."""
    query = select(
        Concern.id,
        Concern.theme,
        Concern.channel,
        Concern.submitted_at,
        Concern.theme_confidence,
        Concern.text_redacted,
    ).where(
        Concern.district == district,
        Concern.submitted_at >= literal(low, UTCDateTime()),
        Concern.submitted_at < literal(high, UTCDateTime()),
        counted(),
    )
    if neighbourhood is not None:
        query = query.where(Concern.neighbourhood == neighbourhood)
    return [PackConcern(*row) for row in session.execute(query.order_by(Concern.id))]


def fetch_emerging_issues(
    session: Session, district: str, start: date, end: date
) -> list[EmergingIssue]:
    """Issues the detection job flagged in the district for periods starting in the dates."""
    return list(
        session.scalars(
            select(EmergingIssue)
            .where(
                EmergingIssue.district == district,
                EmergingIssue.period_start >= start,
                EmergingIssue.period_start <= end,
            )
            .order_by(EmergingIssue.period_start.desc(), EmergingIssue.theme)
        )
    )


def _with_priorities() -> tuple[object, ...]:
    return (
        selectinload(PanelMeeting.priorities).selectinload(Priority.themes),
        selectinload(PanelMeeting.priorities).selectinload(Priority.actions),
    )


def meetings_of(session: Session, panel_id: int) -> list[PanelMeeting]:
    """A panel's meetings, latest first, with their priorities, themes and actions."""
    return list(
        session.scalars(
            select(PanelMeeting)
            .where(PanelMeeting.panel_id == panel_id)
            .options(*_with_priorities())  # type: ignore[arg-type]
            .order_by(PanelMeeting.held_on.desc(), PanelMeeting.id.desc())
        )
    )


def latest_meeting(session: Session, panel_id: int, *, on_or_before: date) -> PanelMeeting | None:
    meetings = [m for m in meetings_of(session, panel_id) if m.held_on <= on_or_before]
    return meetings[0] if meetings else None


def active_priorities(session: Session, panel_id: int) -> list[Priority]:
    """Priorities still open, oldest meeting first."""
    return list(
        session.scalars(
            select(Priority)
            .join(PanelMeeting, PanelMeeting.id == Priority.meeting_id)
            .where(Priority.panel_id == panel_id, Priority.status == "active")
            .options(selectinload(Priority.themes))
            .order_by(PanelMeeting.held_on, Priority.position)
        )
    )


def overdue_priorities(
    session: Session, today: date, panel_ids: Iterable[int] | None = None
) -> list[tuple[Priority, Panel]]:
    """Active priorities whose review date has passed, most overdue first."""
    query = (
        select(Priority, Panel)
        .join(Panel, Panel.id == Priority.panel_id)
        .where(Priority.status == "active", Priority.review_on < today)
        .order_by(Priority.review_on, Panel.name, Priority.position)
    )
    if panel_ids is not None:
        query = query.where(Panel.id.in_(list(panel_ids)))
    return [(priority, panel) for priority, panel in session.execute(query)]


def priority_by_id(session: Session, priority_id: int) -> Priority | None:
    return session.scalars(
        select(Priority)
        .where(Priority.id == priority_id)
        .options(selectinload(Priority.themes), selectinload(Priority.actions))
    ).one_or_none()


def published_quotes_for(session: Session, concern_ids: Iterable[int]) -> dict[int, PublishedQuote]:
    ids = list(concern_ids)
    if not ids:
        return {}
    quotes = session.scalars(select(PublishedQuote).where(PublishedQuote.concern_id.in_(ids)))
    return {quote.concern_id: quote for quote in quotes}


def published_quote(session: Session, concern_id: int) -> PublishedQuote | None:
    return session.scalars(
        select(PublishedQuote).where(PublishedQuote.concern_id == concern_id)
    ).one_or_none()
