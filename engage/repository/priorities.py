"""Reading what the public may see of panels: their People's Priorities, what was done, and
the quotes staff approved for publication. Nothing here reads contact details or what
residents wrote, except a ``PublishedQuote``'s approved text.

Each function is one query, whatever the number of priorities, actions or themes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engage.models import Concern, Panel, Priority, PriorityAction, PublishedQuote

QUOTES_SHOWN = 12


@dataclass(frozen=True)
class PanelSummary:
    slug: str
    name: str
    district: str
    neighbourhood: str | None


@dataclass(frozen=True)
class OpenDataPriority:
    """One priority in the data.police.uk neighbourhood priorities shape (see
    ``engage.api.priorities``): the issue, when it was set, and the latest word on it."""

    issue: str
    issue_date: date
    action: str | None
    action_date: date | None


def list_panels(session: Session, district: str | None = None) -> list[PanelSummary]:
    """Every panel (or a district's), district-wide panels first, then by neighbourhood."""
    statement = select(Panel.slug, Panel.name, Panel.district, Panel.neighbourhood).order_by(
        Panel.district, Panel.neighbourhood.is_not(None), Panel.neighbourhood, Panel.name
    )
    if district is not None:
        statement = statement.where(Panel.district == district)
    return [PanelSummary(*row) for row in session.execute(statement)]


def find_panel(session: Session, slug: str) -> Panel | None:
    return session.scalars(select(Panel).where(Panel.slug == slug)).one_or_none()


def panel_priorities(session: Session, panel_id: int) -> list[Priority]:
    """A panel's priorities, newest first, with their themes and actions loaded (oldest
    action first)."""
    statement = (
        select(Priority)
        .where(Priority.panel_id == panel_id)
        .options(joinedload(Priority.themes), joinedload(Priority.actions))
        .order_by(Priority.set_on.desc(), Priority.position, Priority.id)
    )
    return list(session.scalars(statement).unique())


def latest_word(priority: Priority) -> tuple[str | None, date | None]:
    """What was last done: the outcome once the priority has one, else the latest action."""
    if priority.outcome:
        return priority.outcome, priority.outcome_on
    latest: PriorityAction | None = max(
        priority.actions, key=lambda a: (a.taken_on, a.id), default=None
    )
    if latest is None:
        return None, None
    return latest.description, latest.taken_on


def open_data_priorities(session: Session, panel_id: int) -> list[OpenDataPriority]:
    return [
        OpenDataPriority(p.wording, p.set_on, *latest_word(p))
        for p in panel_priorities(session, panel_id)
    ]


def published_quotes(session: Session, panel: Panel, limit: int = QUOTES_SHOWN) -> list[str]:
    """The approved wording of quotes from concerns in the panel's area, newest first.

    A concern later quarantined (abuse, spam) drops out even if a quote was approved.
    """
    statement = (
        select(PublishedQuote.text)
        .join(Concern, Concern.id == PublishedQuote.concern_id)
        .where(Concern.district == panel.district, Concern.status != "quarantined")
        .order_by(PublishedQuote.approved_at.desc(), PublishedQuote.id.desc())
        .limit(limit)
    )
    if panel.neighbourhood is not None:
        statement = statement.where(Concern.neighbourhood == panel.neighbourhood)
    return list(session.scalars(statement))
