"""Outreach sessions: a worker records where and when they listened, and only they (or an
admin) may change it; analysts may read every session."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from freezegun import freeze_time

from engage.extensions import db
from engage.models import AuditEvent, OutreachSession, User
from tests.engage.outreach.conftest import MakeUser, SignIn, count, make_session, submit
from tests.pages import Page

NEW = "/staff/outreach/sessions/new"


def answers(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "kind": "surgery",
        "held_on": ["14", "3", "2025"],
        "district": "fenland",
        "venue": "Wisbech Library",
        "people_spoken_to": "25",
        "notes": "Busy market day",
    }
    values.update(overrides)
    return values


@freeze_time("2025-03-20 10:00:00")
def test_a_worker_adds_a_session_and_goes_on_to_log_its_concerns(
    app: Flask, sign_in: SignIn, worker: User
) -> None:
    client = sign_in(worker)
    page = Page.of(client.get(NEW).data)
    assert page.heading == "Add an outreach session"

    response = submit(client, NEW, answers())

    assert response.status_code == 303
    with app.app_context():
        stored = db.session.query(OutreachSession).one()
        assert (stored.kind, stored.held_on, stored.district) == (
            "surgery",
            date(2025, 3, 14),
            "fenland",
        )
        assert (stored.venue, stored.people_spoken_to, stored.notes) == (
            "Wisbech Library",
            25,
            "Busy market day",
        )
        assert stored.created_by == worker.id
        session_id = stored.id
        assert db.session.query(AuditEvent).filter_by(action="create").count() == 1
    assert response.location.endswith(f"/staff/outreach/sessions/{session_id}/concerns")


@freeze_time("2025-03-20 10:00:00")
@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"kind": ""}, "kind", "Select what kind of session it was"),
        ({"held_on": ["", "", ""]}, "held_on-day", "Enter the date the session was held"),
        (
            {"held_on": ["14", "", "2025"]},
            "held_on-day",
            "The date the session was held must include a month",
        ),
        (
            {"held_on": ["31", "2", "2025"]},
            "held_on-day",
            "The date the session was held must be a real date, like 27 3 2025",
        ),
        (
            {"held_on": ["21", "3", "2025"]},
            "held_on-day",
            "The date the session was held must be today or in the past",
        ),
        (
            {"held_on": ["31", "12", "1999"]},
            "held_on-day",
            "The date the session was held must be in 2000 or later",
        ),
        ({"district": "atlantis"}, "district", "Select the district the session was in"),
        ({"venue": "  "}, "venue", "Enter where the session was held"),
        (
            {"people_spoken_to": "about 20"},
            "people_spoken_to",
            "Enter the number of people as a whole number, like 25",
        ),
        (
            {"people_spoken_to": "10001"},
            "people_spoken_to",
            "The number of people must be 10,000 or fewer",
        ),
    ],
)
def test_a_mistake_is_explained_next_to_its_field_and_nothing_is_saved(
    app: Flask,
    sign_in: SignIn,
    worker: User,
    changes: dict[str, object],
    field_id: str,
    message: str,
) -> None:
    response = submit(sign_in(worker), NEW, answers(**changes))

    assert response.status_code == 400
    page = Page.of(response.data)
    assert page.title.startswith("Error: ")
    assert page.error_summary() == [(message, f"#{field_id}")]
    assert page.value("venue") == (changes.get("venue") or "Wisbech Library")
    assert count(app, OutreachSession) == 0


@freeze_time("2025-03-20 10:00:00")
def test_the_number_of_people_is_optional_and_may_be_written_with_commas(
    app: Flask, sign_in: SignIn, worker: User
) -> None:
    client = sign_in(worker)
    submit(client, NEW, answers(people_spoken_to=""))
    submit(client, NEW, answers(people_spoken_to="1,200"))
    with app.app_context():
        assert [s.people_spoken_to for s in db.session.query(OutreachSession).order_by("id")] == [
            None,
            1200,
        ]


@freeze_time("2025-03-20 10:00:00")
def test_the_owner_changes_a_session_and_the_change_is_audited(
    app: Flask, sign_in: SignIn, worker: User
) -> None:
    session_id = make_session(app, worker)
    client = sign_in(worker)
    edit = f"/staff/outreach/sessions/{session_id}/edit"
    page = Page.of(client.get(edit).data)
    assert page.value("venue") == "Market Place, March"
    assert page.value("people_spoken_to") == "40"

    response = submit(client, edit, answers(venue="Town Hall, March", kind="street_briefing"))

    assert response.status_code == 303
    with app.app_context():
        stored = db.session.get(OutreachSession, session_id)
        assert stored is not None
        assert stored.venue == "Town Hall, March"
        event = db.session.query(AuditEvent).filter_by(action="update").one()
        assert event.detail["changed"] == ["notes", "people_spoken_to", "venue"]
        assert event.user_id == worker.id


@pytest.mark.parametrize("path", ["/edit", "", "/concerns"])
def test_another_outreach_worker_cannot_see_or_change_someone_elses_session(
    app: Flask, sign_in: SignIn, worker: User, make_user: MakeUser, path: str
) -> None:
    session_id = make_session(app, worker)
    other = sign_in(make_user("outreach"))
    assert other.get(f"/staff/outreach/sessions/{session_id}{path}").status_code == 404
    listing = Page.of(other.get("/staff/outreach/sessions").data)
    assert "Market Place, March" not in listing.text()


@freeze_time("2025-03-20 10:00:00")
def test_an_admin_may_change_any_session(
    app: Flask, sign_in: SignIn, worker: User, make_user: MakeUser
) -> None:
    session_id = make_session(app, worker)
    admin = sign_in(make_user("admin"))
    edit = f"/staff/outreach/sessions/{session_id}/edit"
    response = submit(admin, edit, answers(venue="Corn Exchange"))
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.get(OutreachSession, session_id)
        assert stored is not None
        assert stored.venue == "Corn Exchange"
        assert stored.created_by == worker.id


def test_an_analyst_reads_every_session_but_cannot_change_one(
    app: Flask, sign_in: SignIn, worker: User, make_user: MakeUser
) -> None:
    session_id = make_session(app, worker)
    analyst = sign_in(make_user("analyst"))

    listing = Page.of(analyst.get("/staff/outreach/sessions").data)
    assert "Street briefing at Market Place, March" in listing.text()
    assert "Olu Outreach" in listing.text()
    view = analyst.get(f"/staff/outreach/sessions/{session_id}")
    assert view.status_code == 200
    assert "Log concerns" not in Page.of(view.data).text()
    assert analyst.get(f"/staff/outreach/sessions/{session_id}/edit").status_code == 403
    assert analyst.get(f"/staff/outreach/sessions/{session_id}/concerns").status_code == 403


@pytest.mark.parametrize("role", ["panel", "commissioner_office"])
def test_other_roles_have_no_outreach_pages(
    app: Flask, sign_in: SignIn, make_user: MakeUser, worker: User, role: str
) -> None:
    session_id = make_session(app, worker)
    client = sign_in(make_user(role))
    assert client.get("/staff/outreach/sessions").status_code == 403
    assert client.get(f"/staff/outreach/sessions/{session_id}").status_code == 403
    assert client.get("/staff/outreach/import").status_code == 403


def test_the_worker_sees_only_their_own_sessions_newest_first(
    app: Flask, sign_in: SignIn, worker: User, make_user: MakeUser
) -> None:
    make_session(app, worker, venue="Older venue", held_on=date(2025, 1, 2))
    make_session(app, worker, venue="Newer venue", held_on=date(2025, 2, 3))
    make_session(app, make_user("outreach"), venue="Someone else's venue")
    page = Page.of(sign_in(worker).get("/staff/outreach/sessions").data)
    links = [a.get_text(strip=True) for a in page.soup.select("table a")]
    assert links == ["Street briefing at Newer venue", "Street briefing at Older venue"]
