"""Two residents with look-alike addresses, each with concerns, a published quote and a
notification owed, so every test can check that one person's request touches only them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import (
    AuditEvent,
    Concern,
    ConcernContact,
    ConcernTheme,
    Notification,
    Panel,
    PanelMeeting,
    Priority,
    PublishedQuote,
)

WHEN = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)
_numbers = itertools.count(1)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    from engage.extensions import db

    with app.app_context():
        opened = db.session()
        yield opened
        opened.close()
        db.session.remove()


def concern_from(email: str | None, phone: str | None = None, **overrides: Any) -> Concern:
    number = next(_numbers)
    values: dict[str, Any] = {
        "reference": f"PP-DPRT-{number:04d}",
        "text": f"Drug dealing outside number {number} Elm Road, call me",
        "text_redacted": "Drug dealing outside [address], call me",
        "impact": "I no longer let my children play outside",
        "district": "fenland",
        "neighbourhood": "Wisbech",
        "place": "Elm Road",
        "dealing_with_concerns": "disagree",
        "age_band": "35_44",
        "channel": "web",
        "status": "new",
        "urgency": "routine",
        "theme": "drugs",
        "theme_confidence": 0.9,
        "classified_at": WHEN,
        "submitted_at": WHEN,
    }
    values.update(overrides)
    item = Concern(**values)
    item.themes = [ConcernTheme(theme="drugs", rank=0, confidence=0.9, source="model")]
    item.contact = ConcernContact(
        name="Resident " + str(number),
        email=email,
        phone=phone,
        consent_to_contact=True,
        consent_wording_version="2026-11",
        consented_at=WHEN,
    )
    return item


@dataclass
class Residents:
    jo: list[Concern]
    joanne: list[Concern]
    anonymous: Concern
    priority_id: int


def _owed(session: Session, item: Concern, priority_id: int) -> None:
    session.add(
        Notification(
            concern_id=item.id,
            kind="priority_set",
            priority_id=priority_id,
            action_key=0,
            state="pending",
            created_at=WHEN,
        )
    )
    session.add(PublishedQuote(concern_id=item.id, text=item.text_redacted, approved_at=WHEN))
    session.add(
        AuditEvent(
            at=WHEN,
            action="view_personal_data",
            object_type="concern_contact",
            object_id=str(item.id),
            detail={"fields": ["name", "email", "phone"]},
        )
    )


@pytest.fixture
def residents(session: Session) -> Residents:
    """Jo gave the same address twice (typed differently) and a phone number once; Joanne's
    address differs from Jo's by a few letters; one concern came with no contact at all."""
    jo = [
        concern_from("jo@example.org"),
        concern_from(" Jo@Example.ORG ", "07700 900123"),
    ]
    joanne = [concern_from("joanne@example.org"), concern_from("jo@example.org.uk")]
    anonymous = concern_from(None)
    anonymous.contact = None
    with write_transaction(session):
        session.add_all([*jo, *joanne, anonymous])
        session.flush()
        panel = Panel(
            slug="wisbech",
            name="Wisbech panel",
            district="fenland",
            neighbourhood="Wisbech",
            created_at=WHEN,
        )
        session.add(panel)
        session.flush()
        meeting = PanelMeeting(
            panel_id=panel.id,
            held_on=date(2026, 10, 20),
            attendees=12,
            period_start=date(2026, 7, 1),
            period_end=date(2026, 9, 30),
            recorded_at=WHEN,
        )
        session.add(meeting)
        session.flush()
        priority = Priority(
            meeting_id=meeting.id,
            panel_id=panel.id,
            position=1,
            wording="Tackle drug dealing around Elm Road",
            owner="Wisbech neighbourhood team",
            set_on=date(2026, 10, 20),
            review_on=date(2027, 1, 20),
        )
        session.add(priority)
        session.flush()
        for item in [jo[0], joanne[0]]:
            _owed(session, item, priority.id)
    return Residents(jo=jo, joanne=joanne, anonymous=anonymous, priority_id=priority.id)
