"""The whole cycle through the staff services: a panel meets and sets a priority, action is
taken, a quote is approved, the priority ends; the public page, the open data and the
residents' e-mails show each step."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engage.reference_data import reference_data
from engage.repository.priorities import panel_priorities
from engage.services.panel_quotes import approve_quote
from engage.services.panels import (
    Ending,
    MeetingDetails,
    NewPriority,
    create_panel,
    record_action,
    record_meeting,
)
from jobs.framework import JobContext, Period
from jobs.notifications import deliver_notifications
from tests.factories import staff_user
from tests.pages import Page
from tests.panel_records import add_concerns, resident_concern

NOW = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    from engage.extensions import db

    with app.app_context():
        opened = db.session()
        yield opened
        opened.close()
        db.session.remove()


def deliver(session: Session, app: Flask, outbox: Path) -> int:
    settings = {
        "outbox_dir": outbox,
        "config_dir": Path(app.config["ENGAGE_CONFIG_DIR"]),
        "public_url": "https://priorities.example.org",
        "secret_key": str(app.config["SECRET_KEY"]),
        "smtp": None,
    }
    context = JobContext(now=NOW, triggered_by="test", settings=settings)
    return deliver_notifications(session, Period("day", date(2026, 11, 19)), context).rows


def test_a_priority_set_acted_on_and_achieved_is_published_and_residents_hear(
    client: FlaskClient, session: Session, app: Flask, tmp_path: Path
) -> None:
    coordinator = staff_user(session, "panel")
    resident, _ = add_concerns(
        session,
        resident_concern(reference="PP-CYCL-0001", email="resident@example.org"),
        resident_concern(reference="PP-CYCL-0002", theme="drugs"),
    )
    panel = create_panel(
        session, reference_data().areas, "fenland", "Wisbech", user_id=coordinator.id, now=NOW
    )
    recorded = record_meeting(
        session,
        panel.id,
        MeetingDetails(
            held_on=date(2026, 11, 19),
            attendees=14,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
            notes="Internal notes",
            priorities=[
                NewPriority(
                    wording="Tackle speeding on the High Street",
                    themes=("speeding",),
                    owner="Wisbech neighbourhood policing team",
                    review_on=date(2027, 2, 18),
                )
            ],
            endings=[],
        ),
        user_id=coordinator.id,
        now=NOW,
    )
    assert recorded.notifications == 1
    page = Page.of(client.get(f"/priorities/{panel.slug}").data)
    assert "Tackle speeding on the High Street" in page.text()
    assert "No action has been recorded yet." in page.text()

    priorities = client.get(f"/api/v1/neighbourhoods/{panel.slug}/priorities").json
    assert priorities == [
        {
            "issue": "Tackle speeding on the High Street",
            "issue-date": "2026-11-19T00:00:00",
            "action": None,
            "action-date": None,
        }
    ]
    (priority,) = panel_priorities(session, panel.id)
    priority_id = priority.id
    session.rollback()

    _, queued = record_action(
        session,
        priority_id,
        date(2026, 11, 28),
        "Speed checks on three evenings",
        user_id=coordinator.id,
        now=NOW,
    )
    approve_quote(session, panel, resident.id, user_id=coordinator.id, now=NOW)
    assert queued == 1
    assert deliver(session, app, tmp_path) == 2

    page = Page.of(client.get(f"/priorities/{panel.slug}").data)
    assert "28 November 2026 : Speed checks on three evenings" in page.text()
    assert [q.get_text(strip=True) for q in page.soup.select("blockquote")] == [
        "Cars racing along the High Street every night"
    ]
    assert "Internal notes" not in page.text()
    outbox = sorted((tmp_path / "notifications").glob("*.eml"))
    assert len(outbox) == 2
    assert all(b"PP-CYCL-0001" in f.read_bytes() for f in outbox)

    record_meeting(
        session,
        panel.id,
        MeetingDetails(
            held_on=date(2027, 2, 18),
            attendees=11,
            period_start=date(2026, 11, 1),
            period_end=date(2027, 1, 31),
            notes=None,
            priorities=[
                NewPriority(
                    wording="Parking outside the primary school",
                    themes=("parking",),
                    owner="Fenland District Council",
                    review_on=date(2027, 5, 20),
                )
            ],
            endings=[
                Ending(
                    priority_id=priority_id,
                    status="achieved",
                    outcome="Speeds fell below the limit at all three checks in January",
                    outcome_on=date(2027, 2, 18),
                )
            ],
        ),
        user_id=coordinator.id,
        now=NOW,
    )

    page = Page.of(client.get(f"/priorities/{panel.slug}").data)
    headings = [h.get_text(strip=True) for h in page.soup.select("h2, h3")]
    assert headings[:4] == [
        "Current priorities",
        "Parking outside the primary school",
        "You said, we did",
        "Tackle speeding on the High Street",
    ]
    data = client.get(f"/api/v1/neighbourhoods/{panel.slug}/priorities").json
    assert data is not None
    assert data[1] == {
        "issue": "Tackle speeding on the High Street",
        "issue-date": "2026-11-19T00:00:00",
        "action": "Speeds fell below the limit at all three checks in January",
        "action-date": "2027-02-18T00:00:00",
    }
