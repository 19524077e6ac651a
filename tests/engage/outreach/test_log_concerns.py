"""Logging many concerns from one session on one page, without JavaScript: every filled-in
row is saved or none is, blank rows are ignored, and sending the page twice saves once."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engage.extensions import db
from engage.models import AuditEvent, Concern, User
from tests.engage.outreach.conftest import (
    KeywordClassifier,
    count,
    make_session,
    stored_concerns,
)
from tests.pages import Page

SPEEDING = "Cars speed through Elm Road at school time"
BIKES = "Bikes stolen from outside the leisure centre"
LITTER = "Rubbish dumped behind the garages on Station Road"


def log_path(session_id: int) -> str:
    return f"/staff/outreach/sessions/{session_id}/concerns"


def rows(*filled: dict[str, str], blank: int = 0) -> dict[str, str]:
    """Form fields for the given rows (0, 1, 2...) followed by ``blank`` empty rows."""
    data: dict[str, str] = {}
    for index, row in enumerate([*filled, *([{}] * blank)]):
        for name in ("text", "place", "contact_name", "contact_email", "contact_phone"):
            data[f"rows-{index}-{name}"] = row.get(name, "")
        if row.get("consent"):
            data[f"rows-{index}-consent"] = "y"
    return data


def open_page(client: FlaskClient, session_id: int) -> dict[str, str]:
    page = Page.of(client.get(log_path(session_id)).data)
    return page.hidden_fields()


def send(
    client: FlaskClient, session_id: int, data: dict[str, str], hidden: dict[str, str] | None = None
) -> Any:
    hidden = hidden if hidden is not None else open_page(client, session_id)
    return client.post(log_path(session_id), data={**hidden, **data, "action": "save"})


@pytest.fixture
def session_id(app: Flask, worker: User) -> int:
    return make_session(app, worker, kind="surgery", district="fenland")


def test_the_page_offers_five_empty_rows(worker_client: FlaskClient, session_id: int) -> None:
    page = Page.of(worker_client.get(log_path(session_id)).data)
    assert page.heading == "Log concerns"
    assert [legend.get_text(" ", strip=True) for legend in page.soup.select("form legend")] == [
        f"Concern {n}" for n in range(1, 6)
    ]
    assert page.value("rows-4-text") == ""


def test_valid_rows_are_saved_with_the_sessions_channel_district_and_worker(
    app: Flask,
    worker_client: FlaskClient,
    worker: User,
    session_id: int,
    classified: KeywordClassifier,
) -> None:
    response = send(
        worker_client,
        session_id,
        rows(
            {"text": SPEEDING, "place": "Wisbech"},
            {
                "text": BIKES,
                "contact_name": "Sam",
                "contact_email": "Sam@Example.org",
                "consent": "y",
            },
            blank=3,
        ),
    )

    assert response.status_code == 303
    assert response.location.endswith(f"/staff/outreach/sessions/{session_id}")
    speeding, bikes = stored_concerns(app)
    for concern in (speeding, bikes):
        assert concern.channel == "surgery"
        assert concern.district == "fenland"
        assert concern.outreach_session_id == session_id
        assert concern.logged_by == worker.id
        assert concern.text_redacted is not None
    assert (speeding.text, speeding.neighbourhood, speeding.contact) == (SPEEDING, "Wisbech", None)
    assert (speeding.theme, speeding.theme_confidence) == ("speeding", 0.91)
    assert [t.theme for t in speeding.themes] == ["speeding", "road_safety"]
    assert bikes.contact is not None
    assert (bikes.contact.name, bikes.contact.email, bikes.contact.consent_to_contact) == (
        "Sam",
        "Sam@example.org",
        True,
    )

    shown = Page.of(worker_client.get(response.location).data)
    assert "2 concerns logged" in shown.text()
    assert "Speeding (91% sure)" in shown.text()
    assert "Cycle theft (38% sure) Check this" in shown.text()
    assert shown.soup.select_one(f"#theme-{speeding.id} option[selected]")["value"] == "speeding"
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "outreach_session")
        ).one()
        assert event.detail == {"concerns_logged": [speeding.id, bikes.id]}


def test_one_bad_row_saves_nothing_and_keeps_every_row_as_typed(
    app: Flask, worker_client: FlaskClient, session_id: int
) -> None:
    response = send(
        worker_client,
        session_id,
        rows(
            {"text": SPEEDING, "place": "March"},
            {"text": BIKES, "contact_email": "not an email"},
            {},
            {"text": "ok", "place": "Chatteris"},
        ),
    )

    assert response.status_code == 400
    page = Page.of(response.data)
    assert page.title.startswith("Error: ")
    assert page.error_summary() == [
        (
            "Concern 2: enter an email address in the correct format, like name@example.com",
            "#rows-1-contact_email",
        ),
        (
            "Concern 2: confirm the person agreed to be contacted, or remove their contact details",
            "#rows-1-consent",
        ),
        ("Concern 4: what the person raised must be 3 characters or more", "#rows-3-text"),
    ]
    assert page.field_error("rows-3-text") == (
        "Concern 4: what the person raised must be 3 characters or more"
    )
    assert page.value("rows-0-text") == SPEEDING
    assert page.value("rows-0-place") == "March"
    assert page.value("rows-1-contact_email") == "not an email"
    assert page.value("rows-3-place") == "Chatteris"
    assert count(app, Concern) == 0


def test_a_contact_detail_without_consent_is_refused(
    app: Flask, worker_client: FlaskClient, session_id: int
) -> None:
    response = send(
        worker_client, session_id, rows({"text": SPEEDING, "contact_phone": "07700 900982"})
    )
    assert Page.of(response.data).error_summary() == [
        (
            "Concern 1: confirm the person agreed to be contacted, or remove their contact details",
            "#rows-0-consent",
        )
    ]
    assert count(app, Concern) == 0


def test_blank_rows_are_ignored_wherever_they_are(
    app: Flask, worker_client: FlaskClient, session_id: int
) -> None:
    response = send(worker_client, session_id, rows({}, {"text": LITTER}, {}, {}, {"text": BIKES}))
    assert response.status_code == 303
    assert [c.text for c in stored_concerns(app)] == [LITTER, BIKES]


def test_a_page_with_only_blank_rows_asks_for_a_concern(
    app: Flask, worker_client: FlaskClient, session_id: int
) -> None:
    response = send(worker_client, session_id, rows(blank=5))
    assert response.status_code == 400
    assert Page.of(response.data).error_summary() == [
        ("Concern 1: enter at least one concern", "#rows-0-text")
    ]


def test_sending_the_same_page_twice_saves_each_concern_once(
    app: Flask, worker_client: FlaskClient, session_id: int
) -> None:
    hidden = open_page(worker_client, session_id)
    data = rows({"text": SPEEDING}, {"text": LITTER})

    first = send(worker_client, session_id, data, hidden)
    second = send(worker_client, session_id, data, hidden)

    assert first.status_code == second.status_code == 303
    assert [c.text for c in stored_concerns(app)] == [SPEEDING, LITTER]
    assert "2 concerns logged" in Page.of(worker_client.get(second.location).data).text()


def test_a_new_page_for_the_same_words_is_a_new_concern(
    app: Flask, worker_client: FlaskClient, session_id: int
) -> None:
    """Two people at one session can raise the same thing in the same words."""
    send(worker_client, session_id, rows({"text": SPEEDING}))
    send(worker_client, session_id, rows({"text": SPEEDING}))
    assert count(app, Concern) == 2


def test_add_another_five_rows_keeps_what_was_typed(
    app: Flask, worker_client: FlaskClient, session_id: int
) -> None:
    hidden = open_page(worker_client, session_id)
    response = worker_client.post(
        log_path(session_id),
        data={**hidden, **rows({"text": SPEEDING}, blank=4), "action": "add-rows"},
    )

    assert response.status_code == 200
    page = Page.of(response.data)
    assert page.error_summary() == []
    assert page.value("rows-0-text") == SPEEDING
    assert page.value("rows-9-text") == ""
    assert page.hidden_fields()["submission_id"] == hidden["submission_id"]
    assert count(app, Concern) == 0


def test_the_page_is_refused_without_its_csrf_token(
    app: Flask, worker_client: FlaskClient, session_id: int
) -> None:
    hidden = open_page(worker_client, session_id)
    hidden.pop("csrf_token")
    response = send(worker_client, session_id, rows({"text": SPEEDING}), hidden)
    assert response.status_code == 400
    assert count(app, Concern) == 0


def test_many_long_rows_fit_in_one_page(
    app: Flask, worker_client: FlaskClient, session_id: int
) -> None:
    """Fifty rows of 2,000 characters: more than the resident form's size limit allows."""
    long_rows = [{"text": ("Speeding on the A141 " * 100)[:2000]} for _ in range(50)]
    response = send(worker_client, session_id, rows(*long_rows))
    assert response.status_code == 303
    assert count(app, Concern) == 50
