"""A panel's cycle: a meeting adopts priorities, actions are recorded, outcomes are recorded,
and the next meeting ends what is still open. Each step is audited and queues the residents'
notifications in the same transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engage.extensions import db
from engage.models import Notification, Panel, PanelMeeting, Priority, PriorityAction
from tests.engage.panels.conftest import MakeConcern, audit_events, post_from
from tests.pages import Page

OCTOBER = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
RESIDENT = {"name": "A Resident", "email": "resident@example.org", "phone": None}


def date_fields(name: str, day: date) -> dict[str, Any]:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def priority_fields(
    index: int, wording: str, themes: list[str], owner: str, review_on: date
) -> dict[str, Any]:
    prefix = f"priorities-{index}-"
    return {
        f"{prefix}wording": wording,
        f"{prefix}themes": themes,
        f"{prefix}owner": owner,
        **date_fields(f"{prefix}review_on", review_on),
    }


def meeting_fields(held_on: date = date(2026, 11, 18), **extra: Any) -> dict[str, Any]:
    return {
        **date_fields("held_on", held_on),
        "attendees": "14",
        **date_fields("period_start", date(2026, 8, 1)),
        **date_fields("period_end", date(2026, 10, 31)),
        "notes": "Good turnout; councillor attended.",
        **extra,
    }


THREE_PRIORITIES = {
    **priority_fields(
        0,
        "Tackle speeding on the Lynn Road",
        ["speeding", "road_safety"],
        "Wisbech neighbourhood policing team",
        date(2027, 2, 18),
    ),
    **priority_fields(
        1,
        "Clear fly-tipping from the alleys off Norfolk Street",
        ["litter_fly_tipping"],
        "Fenland District Council",
        date(2027, 2, 18),
    ),
    **priority_fields(
        2,
        "Reduce drug dealing near the park",
        ["drugs"],
        "Wisbech neighbourhood policing team",
        date(2027, 1, 20),
    ),
}


def stored_priorities(app: Flask) -> list[Priority]:
    with app.app_context():
        priorities = list(
            db.session.scalars(
                select(Priority)
                .options(selectinload(Priority.themes), selectinload(Priority.actions))
                .order_by(Priority.id)
            )
        )
        db.session.expunge_all()
        return priorities


def notifications(app: Flask) -> list[tuple[int, str, int, int | None]]:
    with app.app_context():
        return [
            (n.concern_id, n.kind, n.priority_id, n.action_id)
            for n in db.session.scalars(select(Notification).order_by(Notification.id))
        ]


def test_a_panels_whole_cycle_is_stored_audited_and_notified(
    app: Flask, as_manager: FlaskClient, panel: Panel, make_concerns: MakeConcern
) -> None:
    (owed,) = make_concerns(1, theme="speeding", submitted_at=OCTOBER, contact=RESIDENT)
    make_concerns(1, theme="speeding", submitted_at=OCTOBER)  # left no contact details
    make_concerns(1, theme="burglary", submitted_at=OCTOBER, contact=RESIDENT)  # no priority
    base = f"/staff/panels/{panel.slug}"

    form_page = Page.of(as_manager.get(f"{base}/meetings/new?end=2026-10").data)
    assert form_page.heading == "Record a meeting"
    assert form_page.value("period_start") == "01"  # the pack's period, filled in

    response = post_from(
        as_manager, f"{base}/meetings/new", {**meeting_fields(), **THREE_PRIORITIES}
    )

    assert response.status_code == 303
    assert response.headers["Location"] == base
    with app.app_context():
        meeting = db.session.scalars(select(PanelMeeting)).one()
        assert (meeting.held_on, meeting.attendees, meeting.period_start, meeting.period_end) == (
            date(2026, 11, 18),
            14,
            date(2026, 8, 1),
            date(2026, 10, 31),
        )
        assert meeting.notes == "Good turnout; councillor attended."
    priorities = stored_priorities(app)
    assert [
        (p.position, p.wording, sorted(t.theme for t in p.themes), p.owner, p.review_on, p.status)
        for p in priorities
    ] == [
        (
            1,
            "Tackle speeding on the Lynn Road",
            ["road_safety", "speeding"],
            "Wisbech neighbourhood policing team",
            date(2027, 2, 18),
            "active",
        ),
        (
            2,
            "Clear fly-tipping from the alleys off Norfolk Street",
            ["litter_fly_tipping"],
            "Fenland District Council",
            date(2027, 2, 18),
            "active",
        ),
        (
            3,
            "Reduce drug dealing near the park",
            ["drugs"],
            "Wisbech neighbourhood policing team",
            date(2027, 1, 20),
            "active",
        ),
    ]
    speeding = priorities[0]
    assert notifications(app) == [(owed.id, "priority_set", speeding.id, None)]
    assert [(e.action, e.object_type) for e in audit_events(app) if e.object_type != "panel"] == [
        ("create", "panel_meeting"),
        ("create", "priority"),
        ("create", "priority"),
        ("create", "priority"),
    ]
    panel_page = Page.of(as_manager.get(base).data)
    assert "Priority 1: Tackle speeding on the Lynn Road" in panel_page.text()

    action_url = f"/staff/panels/priorities/{speeding.id}/actions/new"
    response = post_from(
        as_manager,
        action_url,
        {
            **date_fields("taken_on", date(2026, 11, 19)),
            "description": "Speed checks on three evenings",
        },
    )

    assert response.status_code == 303
    (action,) = stored_priorities(app)[0].actions
    assert (action.taken_on, action.description) == (
        date(2026, 11, 19),
        "Speed checks on three evenings",
    )
    assert notifications(app)[1:] == [(owed.id, "action_recorded", speeding.id, action.id)]
    assert audit_events(app, "priority_action")[0].detail == {"priority_id": speeding.id}

    response = post_from(
        as_manager,
        f"/staff/panels/priorities/{speeding.id}/outcome",
        {
            "status": "achieved",
            "outcome": "Speeding fell by half",
            **date_fields("outcome_on", date(2026, 11, 20)),
        },
    )

    assert response.status_code == 303
    ended = stored_priorities(app)[0]
    assert (ended.status, ended.outcome, ended.outcome_on) == (
        "achieved",
        "Speeding fell by half",
        date(2026, 11, 20),
    )
    assert audit_events(app, "priority")[-1].detail == {"change": "outcome", "status": "achieved"}
    assert "Achieved on 20 November 2026" in Page.of(as_manager.get(base).data).text()


def test_the_next_meeting_ends_the_priorities_still_open(
    app: Flask, as_manager: FlaskClient, panel: Panel
) -> None:
    base = f"/staff/panels/{panel.slug}"
    post_from(
        as_manager,
        f"{base}/meetings/new",
        {**meeting_fields(date(2026, 8, 20)), **THREE_PRIORITIES},
    )
    open_ids = [p.id for p in stored_priorities(app)]

    page = Page.of(as_manager.get(f"{base}/meetings/new").data)
    assert "How the open priorities ended" in page.text()
    assert page.hidden_fields()["endings-0-priority_id"] == str(open_ids[0])

    missing = post_from(
        as_manager,
        f"{base}/meetings/new",
        {
            **meeting_fields(),
            **priority_fields(
                0, "Tackle speeding on Elm Road", ["speeding"], "Wisbech team", date(2027, 3, 1)
            ),
        },
    )
    assert missing.status_code == 400
    errors = Page.of(missing.data).error_summary()
    assert ("Select how the priority ended", "#endings-0-status") in errors
    assert ("Enter what happened", "#endings-0-outcome") in errors
    assert ("Enter the date of the outcome", "#endings-0-outcome_on-day") in errors

    endings: dict[str, Any] = {}
    for index, (status, priority_id) in enumerate(
        zip(["carried_over", "achieved", "closed"], open_ids, strict=True)
    ):
        endings |= {
            f"endings-{index}-priority_id": str(priority_id),
            f"endings-{index}-status": status,
            f"endings-{index}-outcome": f"Outcome {index + 1}",
            **date_fields(f"endings-{index}-outcome_on", date(2026, 11, 18)),
        }
    response = post_from(
        as_manager,
        f"{base}/meetings/new",
        {
            **meeting_fields(),
            **endings,
            **priority_fields(
                0, "Tackle speeding on Elm Road", ["speeding"], "Wisbech team", date(2027, 3, 1)
            ),
        },
    )

    assert response.status_code == 303
    stored = stored_priorities(app)
    assert [(p.status, p.outcome, p.outcome_on) for p in stored] == [
        ("carried_over", "Outcome 1", date(2026, 11, 18)),
        ("achieved", "Outcome 2", date(2026, 11, 18)),
        ("closed", "Outcome 3", date(2026, 11, 18)),
        ("active", None, None),
    ]
    assert [
        e.detail.get("status") for e in audit_events(app, "priority") if e.action == "update"
    ] == ["carried_over", "achieved", "closed"]


def test_an_action_needs_a_date_and_words_fit_to_publish(
    app: Flask, as_manager: FlaskClient, panel: Panel
) -> None:
    post_from(
        as_manager,
        f"/staff/panels/{panel.slug}/meetings/new",
        {**meeting_fields(), **THREE_PRIORITIES},
    )
    priority = stored_priorities(app)[0]

    response = post_from(
        as_manager,
        f"/staff/panels/priorities/{priority.id}/actions/new",
        {**date_fields("taken_on", date(2026, 11, 1)), "description": "  "},
    )

    assert response.status_code == 400
    page = Page.of(response.data)
    assert page.title.startswith("Error: ")
    assert page.error_summary() == [
        ("The date it was done must be on or after the date the priority was set", "#taken_on-day"),
        ("Enter what was done", "#description"),
    ]
    with app.app_context():
        assert db.session.scalars(select(PriorityAction)).all() == []
