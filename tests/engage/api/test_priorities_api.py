"""Open data: the panels, and each panel's priorities as data.police.uk shapes them, in JSON
and in CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engage.models import Panel
from tests.panel_records import add_action, add_meeting, add_panel, add_priority

OPEN_DATA_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T00:00:00$")
KEYS = {"issue", "issue-date", "action", "action-date"}


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    from engage.extensions import db

    with app.app_context():
        opened = db.session()
        yield opened
        opened.close()
        db.session.remove()


@pytest.fixture
def panel(session: Session) -> Panel:
    return add_panel(session)


def agreed_priorities(session: Session, panel: Panel) -> None:
    """Three priorities: one ended with an outcome, one with actions, one with nothing yet."""
    earlier = add_meeting(session, panel, held_on=date(2026, 8, 20))
    ended = add_priority(
        session,
        earlier,
        wording="Stop drug dealing in the park",
        status="achieved",
        outcome="Two arrests and a closure order",
        outcome_on=date(2026, 11, 1),
    )
    add_action(session, ended, taken_on=date(2026, 9, 3), description="Patrols in the park")
    latest = add_meeting(session, panel, held_on=date(2026, 11, 19))
    acted_on = add_priority(session, latest, wording="Tackle speeding on the High Street")
    add_action(session, acted_on, taken_on=date(2026, 12, 5), description="A speed camera van")
    add_action(session, acted_on, taken_on=date(2026, 11, 28), description="Speed checks")
    add_priority(session, latest, wording="Parking outside the school")


def test_priorities_come_in_the_data_police_uk_shape_newest_first(
    client: FlaskClient, session: Session, panel: Panel
) -> None:
    agreed_priorities(session, panel)

    response = client.get("/api/v1/neighbourhoods/fenland-wisbech/priorities")

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.json
    assert isinstance(body, list)
    assert all(set(item) == KEYS for item in body)
    assert body == [
        {
            "issue": "Tackle speeding on the High Street",
            "issue-date": "2026-11-19T00:00:00",
            "action": "A speed camera van",
            "action-date": "2026-12-05T00:00:00",
        },
        {
            "issue": "Parking outside the school",
            "issue-date": "2026-11-19T00:00:00",
            "action": None,
            "action-date": None,
        },
        {
            "issue": "Stop drug dealing in the park",
            "issue-date": "2026-08-20T00:00:00",
            "action": "Two arrests and a closure order",
            "action-date": "2026-11-01T00:00:00",
        },
    ]
    dates = [item[key] for item in body for key in ("issue-date", "action-date") if item[key]]
    assert all(OPEN_DATA_DATE.match(value) for value in dates)


def test_a_panel_with_nothing_agreed_has_an_empty_list(
    client: FlaskClient, session: Session, panel: Panel
) -> None:
    response = client.get("/api/v1/neighbourhoods/fenland-wisbech/priorities")

    assert (response.status_code, response.json) == (200, [])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/neighbourhoods/atlantis/priorities",
        "/api/v1/neighbourhoods/atlantis/priorities.csv",
    ],
)
def test_an_unknown_neighbourhood_is_a_problem_document(
    sqlite_client: FlaskClient, path: str
) -> None:
    response = sqlite_client.get(path)

    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    problem = response.get_json(force=True)
    assert problem["status"] == 404
    assert problem["title"] == "Not Found"
    assert "/api/v1/neighbourhoods" in problem["detail"]


def test_the_csv_has_the_same_columns_and_rows(
    client: FlaskClient, session: Session, panel: Panel
) -> None:
    agreed_priorities(session, panel)

    response = client.get("/api/v1/neighbourhoods/fenland-wisbech/priorities.csv")
    json_rows = client.get("/api/v1/neighbourhoods/fenland-wisbech/priorities").json

    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="fenland-wisbech-priorities.csv"'
    )
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffissue,issue-date,action,action-date\r\n")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert json_rows is not None
    assert rows == [{k: v or "" for k, v in item.items()} for item in json_rows]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(
    client: FlaskClient, session: Session, panel: Panel
) -> None:
    meeting = add_meeting(session, panel)
    priority = add_priority(session, meeting, wording='=HYPERLINK("http://evil.example","x")')
    add_action(session, priority, description="+SUM(A1:A9)")
    add_priority(session, meeting, wording="@cmd|' /C calc'!A0")
    add_priority(session, meeting, wording="-2+3")

    text = client.get("/api/v1/neighbourhoods/fenland-wisbech/priorities.csv").get_data(
        as_text=True
    )

    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))[1:]
    cells = [cell for row in rows for cell in row if cell]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'+SUM(A1:A9)" in cells
    # The JSON is data, not a spreadsheet: it keeps the words exactly as agreed.
    issues = [
        r["issue"]
        for r in client.get("/api/v1/neighbourhoods/fenland-wisbech/priorities").json or []
    ]
    assert '=HYPERLINK("http://evil.example","x")' in issues


def test_the_panels_are_listed(client: FlaskClient, session: Session) -> None:
    add_panel(session, slug="fenland", name="Fenland district panel", neighbourhood=None)
    add_panel(session)

    response = client.get("/api/v1/neighbourhoods")

    assert response.status_code == 200
    assert response.json == [
        {
            "slug": "fenland",
            "name": "Fenland district panel",
            "district": "fenland",
            "neighbourhood": None,
        },
        {
            "slug": "fenland-wisbech",
            "name": "Wisbech neighbourhood panel (Fenland)",
            "district": "fenland",
            "neighbourhood": "Wisbech",
        },
    ]


def test_the_openapi_description_covers_the_open_data(sqlite_client: FlaskClient) -> None:
    document = sqlite_client.get("/api/v1/openapi.json").json
    assert document is not None
    paths = document["paths"]

    assert "/api/v1/concerns" in paths
    assert set(paths["/api/v1/neighbourhoods"]["get"]["responses"]) == {"200"}
    for path in (
        "/api/v1/neighbourhoods/{slug}/priorities",
        "/api/v1/neighbourhoods/{slug}/priorities.csv",
    ):
        assert set(paths[path]["get"]["responses"]) == {"200", "404"}
        assert paths[path]["get"]["parameters"][0]["name"] == "slug"
    assert (
        "text/csv"
        in paths["/api/v1/neighbourhoods/{slug}/priorities.csv"]["get"]["responses"]["200"][
            "content"
        ]
    )
    schema = document["components"]["schemas"]["NeighbourhoodPriority"]
    assert set(schema["required"]) == KEYS
    assert set(schema["properties"]) == KEYS
