"""Exporting a search as CSV: redacted by default, safe in Excel, audited, scoped."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engage.models import User
from engage.triage.export_csv import neutralise
from tests.engage.triage.conftest import MakeConcern, MakeUser, as_role, audit_events
from tests.pages import Page

RESIDENT = {
    "name": '=HYPERLINK("http://evil")',
    "email": "r@example.org",
    "phone": "+44 7700 900123",
}


def export(client: FlaskClient, query: str = "", **options: str) -> TestResponse:
    start = client.get(f"/staff/concerns/export?{query}")
    assert start.status_code == 200
    page = Page.of(start.data)
    action = page.soup.select_one("form[method=post]")["action"]
    return client.post(action, data={"csrf_token": page.csrf_token(), **options})


def rows(response: TestResponse) -> list[dict[str, str]]:
    assert response.status_code == 200
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+44 1234", "'+44 1234"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Safe = fine", "Safe = fine"),
        (None, ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_neutralised(value: str, expected: str) -> None:
    assert neutralise(value) == expected


def test_an_export_has_the_redacted_text_no_contact_details_and_is_audited(
    app: Flask, as_analyst: FlaskClient, analyst: User, make_concern: MakeConcern
) -> None:
    make_concern(
        text="Gary sells drugs",
        text_redacted="=cmd|' /C calc'!A0 [redacted] sells drugs",
        theme="drugs",
        contact=RESIDENT,
    )
    make_concern(text="Elsewhere", district="peterborough")

    response = export(as_analyst, "district=fenland")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    (row,) = rows(response)
    assert row["redacted_text"] == "'=cmd|' /C calc'!A0 [redacted] sells drugs"
    assert row["theme"] == "drugs"
    assert row["counted"] == "yes"
    assert "original_text" not in row
    assert "contact_email" not in row
    assert "Gary" not in response.get_data(as_text=True)
    assert "r@example.org" not in response.get_data(as_text=True)
    (event,) = [e for e in audit_events(app) if e.action == "export"]
    assert event.user_id == analyst.id
    assert event.detail == {
        "filters": {"district": "fenland"},
        "scope": None,
        "rows": 1,
        "text": "redacted",
        "contact_details": False,
    }
    assert [e for e in audit_events(app) if e.action == "view_personal_data"] == []


def test_an_analyst_who_ticks_them_gets_the_original_and_contact_details_audited(
    app: Flask, as_analyst: FlaskClient, make_concern: MakeConcern
) -> None:
    make_concern(text="Gary sells drugs", text_redacted="[redacted] sells drugs", contact=RESIDENT)

    (row,) = rows(export(as_analyst, include_original="y", include_contact="y"))

    assert row["original_text"] == "Gary sells drugs"
    assert row["contact_name"] == '\'=HYPERLINK("http://evil")'
    assert row["contact_phone"] == "'+44 7700 900123"
    assert row["contact_email"] == "r@example.org"
    (view,) = [e for e in audit_events(app) if e.action == "view_personal_data"]
    assert view.detail == {"rows": 1, "fields": ["original_text", "contact_details"]}
    (event,) = [e for e in audit_events(app) if e.action == "export"]
    assert (event.detail["text"], event.detail["contact_details"]) == ("original", True)


def test_a_panel_member_exports_only_redacted_rows_of_their_area(
    app: Flask, client: FlaskClient, make_user: MakeUser, make_concern: MakeConcern
) -> None:
    make_concern(text="Gary sells drugs", text_redacted="[redacted] sells drugs", contact=RESIDENT)
    make_concern(text="Elsewhere", district="peterborough", neighbourhood="Orton")
    as_role(client, make_user, "panel", district_scope="fenland")

    start = Page.of(client.get("/staff/concerns/export").data)
    assert start.soup.select("input[name=include_original]") == []
    assert start.soup.select("input[name=include_contact]") == []
    (row,) = rows(export(client))

    assert row["redacted_text"] == "[redacted] sells drugs"
    assert row["district"] == "fenland"
    (event,) = [e for e in audit_events(app) if e.action == "export"]
    assert event.detail["scope"] == {"district": "fenland", "neighbourhood": None}


@pytest.mark.parametrize("role", ["panel", "commissioner_office"])
def test_only_analysts_and_admins_may_export_originals_or_contact_details(
    app: Flask, client: FlaskClient, make_user: MakeUser, make_concern: MakeConcern, role: str
) -> None:
    make_concern(contact=RESIDENT)
    as_role(client, make_user, role)

    original = export(client, include_original="y")
    contact = export(client, include_contact="y")

    assert original.status_code == 403
    assert contact.status_code == 403
    assert audit_events(app) == []


def test_an_export_without_its_token_is_refused(
    app: Flask, as_analyst: FlaskClient, make_concern: MakeConcern
) -> None:
    make_concern()
    assert as_analyst.post("/staff/concerns/export").status_code == 400
    assert audit_events(app) == []


def test_merged_duplicates_are_marked_as_not_counted(
    as_analyst: FlaskClient, make_concern: MakeConcern
) -> None:
    first = make_concern(text="one")
    make_concern(text="two", status="duplicate", duplicate_of_id=first.id)

    by_text = {row["redacted_text"]: row for row in rows(export(as_analyst))}

    assert (by_text["two"]["counted"], by_text["two"]["duplicate_of"]) == ("no", first.reference)
    assert (by_text["one"]["counted"], by_text["one"]["duplicate_of"]) == ("yes", "")


def test_a_large_export_streams_every_row(
    as_analyst: FlaskClient, make_concern: MakeConcern, app: Flask
) -> None:
    from engage.extensions import db
    from tests.engage.triage.conftest import build_concern

    with app.app_context():
        db.session.add_all(build_concern(text=f"Concern {n}") for n in range(1203))
        db.session.commit()

    response = export(as_analyst)

    assert response.is_streamed
    assert len(rows(response)) == 1203
