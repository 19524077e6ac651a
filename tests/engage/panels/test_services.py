"""The panel services' rules below the forms: all or nothing, only what belongs to the panel."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from engage.extensions import db
from engage.models import AuditEvent, Panel, PanelMeeting, Priority, PublishedQuote
from engage.services import panel_quotes
from engage.services import panels as panel_service
from tests.engage.panels.conftest import NOW, MakeConcern
from tests.panel_records import add_meeting, add_priority


def details(**overrides: object) -> panel_service.MeetingDetails:
    values: dict[str, object] = {
        "held_on": date(2026, 11, 18),
        "attendees": 9,
        "period_start": date(2026, 8, 1),
        "period_end": date(2026, 10, 31),
        "notes": None,
        "priorities": [
            panel_service.NewPriority("Tackle speeding", ("speeding",), "Team", date(2027, 2, 1))
        ],
        "endings": [],
    }
    values.update(overrides)
    return panel_service.MeetingDetails(**values)


def test_a_meeting_that_fails_part_way_leaves_nothing_written(app: Flask, panel: Panel) -> None:
    with app.app_context():
        session = db.session()
        earlier = add_meeting(session, session.get(Panel, panel.id), held_on=date(2026, 8, 20))
        old = add_priority(session, earlier, set_on=date(2026, 8, 20))
        audits_before = len(session.scalars(select(AuditEvent)).all())
        bad = details(
            endings=[panel_service.Ending(old.id, "achieved", "Done", date(2026, 11, 18))],
            priorities=[
                panel_service.NewPriority("Fine", ("speeding",), "Team", date(2027, 2, 1)),
                panel_service.NewPriority("Too early", ("drugs",), "Team", date(2026, 11, 1)),
            ],
        )

        with pytest.raises(panel_service.PanelError, match="review date"):
            panel_service.record_meeting(session, panel.id, bad, user_id=None, now=NOW)

        session.expire_all()
        assert session.get(Priority, old.id).status == "active"  # type: ignore[union-attr]
        assert len(session.scalars(select(PanelMeeting)).all()) == 1
        assert len(session.scalars(select(Priority)).all()) == 1
        assert len(session.scalars(select(AuditEvent)).all()) == audits_before


def test_a_meeting_must_end_every_open_priority(app: Flask, panel: Panel) -> None:
    with app.app_context():
        session = db.session()
        earlier = add_meeting(session, session.get(Panel, panel.id), held_on=date(2026, 8, 20))
        add_priority(session, earlier)

        with pytest.raises(panel_service.PanelError, match="open priorities changed"):
            panel_service.record_meeting(session, panel.id, details(), user_id=None, now=NOW)


@pytest.mark.parametrize("count", [0, 6])
def test_a_meeting_adopts_one_to_five_priorities(app: Flask, panel: Panel, count: int) -> None:
    new = panel_service.NewPriority("P", ("speeding",), "Team", date(2027, 2, 1))
    with app.app_context(), pytest.raises(panel_service.PanelError, match="1 to 5"):
        panel_service.record_meeting(
            db.session(),
            panel.id,
            details(priorities=[new] * count),
            user_id=None,
            now=NOW,
        )


def test_only_a_concern_in_the_panels_area_can_be_quoted(
    app: Flask, panel: Panel, make_concerns: MakeConcern
) -> None:
    (elsewhere,) = make_concerns(1, neighbourhood="March")
    (quarantined,) = make_concerns(1, status="quarantined")
    with app.app_context():
        session = db.session()
        wisbech = session.get(Panel, panel.id)
        assert wisbech is not None
        with pytest.raises(panel_service.PanelNotFound):
            panel_quotes.approve_quote(session, wisbech, elsewhere.id, user_id=None, now=NOW)
        with pytest.raises(panel_service.PanelError):
            panel_quotes.approve_quote(session, wisbech, quarantined.id, user_id=None, now=NOW)
        assert session.scalars(select(PublishedQuote)).all() == []


def test_an_ended_priority_cannot_be_ended_again(app: Flask, panel: Panel) -> None:
    with app.app_context():
        session = db.session()
        meeting = add_meeting(session, session.get(Panel, panel.id))
        priority = add_priority(
            session, meeting, status="closed", outcome="Done", outcome_on=date(2026, 11, 19)
        )

        with pytest.raises(panel_service.PanelError, match="already has an outcome"):
            panel_service.record_outcome(
                session,
                panel_service.Ending(priority.id, "achieved", "Again", date(2026, 11, 20)),
                user_id=None,
                now=NOW,
            )
