"""An admin finds a resident's records, downloads them and erases them; the same from the
``engage people`` commands."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.models import AuditEvent, Concern, ConcernContact
from engage.services.data_protection import ERASED_TEXT
from tests.engage.data_protection.conftest import Residents
from tests.factories import signed_in, staff_user
from tests.pages import Page


def _admin(client: FlaskClient, session: Session) -> FlaskClient:
    return signed_in(client, staff_user(session, role="admin"))


def _token(client: FlaskClient) -> str:
    return Page.of(client.get("/staff/data-protection").data).csrf_token()


def _contacts(session: Session) -> list[str | None]:
    session.rollback()
    return sorted(e or "" for e in session.scalars(select(ConcernContact.email)))


def test_the_records_page_shows_everything_held_about_the_person(
    client: FlaskClient, session: Session, residents: Residents
) -> None:
    admin = _admin(client, session)
    page = Page.of(
        admin.post(
            "/staff/data-protection",
            data={"csrf_token": _token(admin), "email": "Jo@Example.org ", "phone": ""},
        ).data
    )

    assert page.heading == "Records for jo@example.org"
    assert [h.get_text() for h in page.soup.select("h2.govuk-heading-m")][:2] == [
        c.reference for c in residents.jo
    ]
    text = page.text()
    assert residents.jo[0].text in text
    assert residents.jo[0].impact is not None
    assert residents.jo[0].impact in text
    assert "07700 900123" in text
    assert residents.joanne[0].reference not in text


def test_searching_with_nothing_typed_says_what_to_enter(
    client: FlaskClient, session: Session
) -> None:
    admin = _admin(client, session)
    response = admin.post(
        "/staff/data-protection", data={"csrf_token": _token(admin), "email": "", "phone": ""}
    )
    page = Page.of(response.data)
    assert response.status_code == 400
    assert page.title.startswith("Error: ")
    assert page.error_summary() == [("Enter an email address or a phone number", "#email")]


def test_the_download_is_the_persons_json_export(
    client: FlaskClient, session: Session, residents: Residents
) -> None:
    admin = _admin(client, session)
    response = admin.post(
        "/staff/data-protection/export",
        data={"csrf_token": _token(admin), "email": "jo@example.org", "phone": ""},
    )
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    exported = json.loads(response.data)
    assert [c["reference"] for c in exported["concerns"]] == [c.reference for c in residents.jo]


def test_erasing_needs_the_word_typed_and_keeps_the_records_until_then(
    client: FlaskClient, session: Session, residents: Residents
) -> None:
    admin = _admin(client, session)
    response = admin.post(
        "/staff/data-protection/erase",
        data={"csrf_token": _token(admin), "email": "jo@example.org", "confirmation": "yes"},
    )
    page = Page.of(response.data)
    assert response.status_code == 400
    assert page.error_summary() == [("Type the word erase to erase these records", "#confirmation")]
    assert page.value("confirmation") == "yes"
    assert "jo@example.org" in _contacts(session)


def test_erasing_removes_the_persons_data_and_says_so(
    client: FlaskClient, session: Session, residents: Residents
) -> None:
    admin = _admin(client, session)
    response = admin.post(
        "/staff/data-protection/erase",
        data={"csrf_token": _token(admin), "email": "jo@example.org", "confirmation": " Erase "},
        follow_redirects=True,
    )
    page = Page.of(response.data)
    assert "Personal data erased from 2 concerns" in page.text()
    assert _contacts(session) == ["jo@example.org.uk", "joanne@example.org"]
    erased = session.get(Concern, residents.jo[0].id)
    assert erased is not None
    assert erased.text == ERASED_TEXT


def test_the_commands_export_and_erase_one_person(app: Flask, residents: Residents) -> None:
    runner = app.test_cli_runner()

    exported = runner.invoke(args=["people", "export", "--email", "JO@example.org"])
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.stdout)
    assert [c["reference"] for c in data["concerns"]] == [c.reference for c in residents.jo]

    refused = runner.invoke(args=["people", "erase", "--email", "jo@example.org"], input="n\n")
    assert refused.exit_code == 1
    erased = runner.invoke(args=["people", "erase", "--email", "jo@example.org", "--yes"])
    assert erased.exit_code == 0, erased.output
    assert "Erased personal data from 2 concern(s)" in erased.output

    with app.app_context():
        from engage.extensions import db

        session = db.session()
        assert sorted(session.scalars(select(ConcernContact.email))) == [
            "jo@example.org.uk",
            "joanne@example.org",
        ]
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions[-2:] == ["export", "erase"]


def test_the_commands_need_someone_to_look_for(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["people", "erase", "--yes"])
    assert result.exit_code == 2
    assert "Give --email or --phone" in result.output
