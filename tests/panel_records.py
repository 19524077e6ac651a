"""Small factories for panels, meetings, priorities, actions, quotes and residents' concerns,
written straight through the ORM so a test names only what it is about."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import (
    Concern,
    ConcernContact,
    Panel,
    PanelMeeting,
    Priority,
    PriorityAction,
    PriorityTheme,
    PublishedQuote,
)

_numbers = itertools.count(1)
RECORDED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def add_panel(session: Session, **overrides: Any) -> Panel:
    values: dict[str, Any] = {
        "slug": "fenland-wisbech",
        "name": "Wisbech neighbourhood panel (Fenland)",
        "district": "fenland",
        "neighbourhood": "Wisbech",
        "created_at": RECORDED,
    }
    values.update(overrides)
    panel = Panel(**values)
    with write_transaction(session):
        session.add(panel)
    return panel


def add_meeting(session: Session, panel: Panel, **overrides: Any) -> PanelMeeting:
    values: dict[str, Any] = {
        "panel_id": panel.id,
        "held_on": date(2026, 11, 19),
        "attendees": 12,
        "period_start": date(2026, 10, 1),
        "period_end": date(2026, 10, 31),
        "notes": None,
        "recorded_at": RECORDED,
    }
    values.update(overrides)
    meeting = PanelMeeting(**values)
    with write_transaction(session):
        session.add(meeting)
    return meeting


def add_priority(
    session: Session,
    meeting: PanelMeeting,
    themes: tuple[str, ...] = ("speeding",),
    **overrides: Any,
) -> Priority:
    values: dict[str, Any] = {
        "meeting_id": meeting.id,
        "panel_id": meeting.panel_id,
        "position": next(_numbers),
        "wording": "Tackle speeding on the High Street",
        "owner": "Wisbech neighbourhood policing team",
        "set_on": meeting.held_on,
        "review_on": date(2027, 2, 18),
        "status": "active",
        "outcome": None,
        "outcome_on": None,
    }
    values.update(overrides)
    priority = Priority(**values)
    priority.themes = [PriorityTheme(theme=theme) for theme in themes]
    with write_transaction(session):
        session.add(priority)
    return priority


def add_action(session: Session, priority: Priority, **overrides: Any) -> PriorityAction:
    values: dict[str, Any] = {
        "priority_id": priority.id,
        "taken_on": date(2026, 11, 28),
        "description": "Speed checks on the High Street on three evenings",
        "recorded_at": RECORDED,
    }
    values.update(overrides)
    action = PriorityAction(**values)
    with write_transaction(session):
        session.add(action)
    return action


def resident_concern(
    *,
    email: str | None = "resident@example.org",
    phone: str | None = None,
    name: str | None = "A Resident",
    consent: bool = True,
    **overrides: Any,
) -> Concern:
    """A counted concern in Wisbech about speeding in the October evidence period, with the
    resident's contact details (pass ``consent=False`` or no email to change that)."""
    number = next(_numbers)
    values: dict[str, Any] = {
        "reference": f"PP-PANEL-{number:06d}",
        "text": "Cars racing along the High Street every night",
        "text_redacted": "Cars racing along the High Street every night",
        "district": "fenland",
        "neighbourhood": "Wisbech",
        "place": "Wisbech",
        "channel": "web",
        "status": "new",
        "urgency": "routine",
        "theme": "speeding",
        "submitted_at": datetime(2026, 10, 15, 12, 0, tzinfo=UTC),
    }
    values.update(overrides)
    concern = Concern(**values)
    concern.contact = ConcernContact(
        name=name,
        email=email,
        phone=phone,
        consent_to_contact=consent,
        consent_wording_version="2026-11",
        consented_at=values["submitted_at"],
    )
    return concern


def add_concerns(session: Session, *concerns: Concern) -> list[Concern]:
    with write_transaction(session):
        session.add_all(concerns)
    return list(concerns)


def add_quote(session: Session, concern: Concern, text: str) -> PublishedQuote:
    quote = PublishedQuote(concern_id=concern.id, text=text, approved_at=RECORDED)
    with write_transaction(session):
        session.add(quote)
    return quote
