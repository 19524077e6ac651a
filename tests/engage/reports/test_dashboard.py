"""The reports dashboard: the office's figures, filtered, and the digests in the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from bs4 import Tag
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time

from engage.database import write_transaction
from engage.extensions import db
from engage.models import Digest
from engage.reports.rendering import DigestWriter
from engage.settings import PROJECT_ROOT
from jobs.digest import build_digest
from jobs.framework import JobContext, Period
from tests.factories import signed_in, staff_user
from tests.pages import Page
from tests.rollup_facts import fact

NOW = "2026-11-25 10:00:00"  # a Wednesday: the latest complete week is 2026-W47
W47 = Period.parse("2026-W47")

# (period, district, theme, channel, concerns)
FACTS = [
    (W47, "fenland", "speeding", "web", 16),
    (W47, "fenland", "drugs", "surgery", 5),
    (W47, "peterborough", "drugs", "web", 12),
    (W47, "peterborough", "anti_social_behaviour", "street_briefing", 7),
    (W47.previous(), "fenland", "speeding", "web", 6),
    (Period.parse("2026-10"), "cambridge_city", "cycle_theft", "web", 40),
]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


@pytest.fixture
def facts(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        with write_transaction(session):
            for period, district, theme, channel, n in FACTS:
                session.add(fact(period, district, theme, channel, n, agree=1, disagree=1))


def as_role(app: Flask, client: FlaskClient, role: str) -> FlaskClient:
    with app.app_context():
        return signed_in(client, staff_user(db.session(), role=role))


def table_rows(page: Page, key: str) -> list[list[str]]:
    assert page.soup.find(id=f"table-{key}") is not None, f"no table {key}"
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        for row in page.soup.select(f"#table-{key} tbody tr")
    ]


def text_of(page: Page, node_id: str) -> str:
    node = page.soup.find(id=node_id)
    assert isinstance(node, Tag), f"no #{node_id}"
    return node.get_text(" ", strip=True)


def selected(page: Page, select_id: str) -> str:
    option = page.soup.select_one(f"select#{select_id} option[selected]")
    assert option is not None, f"nothing selected in #{select_id}"
    return str(option["value"])


@pytest.mark.parametrize("role", ["commissioner_office", "analyst", "admin"])
def test_the_office_analysts_and_admins_see_the_dashboard(
    app: Flask, client: FlaskClient, facts: None, role: str
) -> None:
    response = as_role(app, client, role).get("/staff/reports")

    assert response.status_code == 200
    page = Page.of(response.data)
    assert page.heading == "Reports"
    assert page.title.startswith("Reports \N{EN DASH} Staff")
    menu = [a.get_text(strip=True) for a in page.soup.select(".govuk-service-navigation__link")]
    assert "Reports" in menu


@pytest.mark.parametrize("role", ["outreach", "panel"])
def test_other_staff_are_refused(app: Flask, client: FlaskClient, role: str) -> None:
    client = as_role(app, client, role)
    assert client.get("/staff/reports").status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/staff/reports")
    assert response.status_code == 302
    assert "next=/staff/reports" in response.headers["Location"]


def test_by_default_the_latest_complete_week_is_shown_county_wide(
    app: Flask, client: FlaskClient, facts: None
) -> None:
    page = Page.of(as_role(app, client, "commissioner_office").get("/staff/reports").data)

    assert "week 2026-W47" in text_of(page, "showing")
    assert table_rows(page, "top-themes") == [
        ["Drugs", "17", "0", "+17"],
        ["Speeding", "16", "6", "+10"],
        ["Anti-social behaviour", "7", "0", "+7"],
    ]
    assert len(page.soup.select("figure svg[role=img]")) == 3
    for svg in page.soup.select("figure svg"):
        assert not svg.find_all(style=True)  # the CSP forbids inline styles
    assert page.soup.find("h2", string="Emerging issues") is not None


def test_filters_narrow_the_figures_and_are_kept_on_the_page(
    app: Flask, client: FlaskClient, facts: None
) -> None:
    client = as_role(app, client, "analyst")
    page = Page.of(
        client.get(
            "/staff/reports?district=peterborough&channel=web&grain=week&day=2026-11-18"
        ).data
    )

    assert table_rows(page, "top-themes") == [["Drugs", "12", "0", "+12"]]
    assert "district Peterborough, channel Website" in text_of(page, "showing")
    assert selected(page, "district") == "peterborough"
    assert page.value("day") == "2026-11-18"

    theme = Page.of(client.get("/staff/reports?theme=speeding&day=2026-11-18").data)
    assert table_rows(theme, "top-themes") == [["Speeding", "16", "6", "+10"]]


def test_a_month_can_be_chosen_by_any_day_in_it(
    app: Flask, client: FlaskClient, facts: None
) -> None:
    client = as_role(app, client, "commissioner_office")
    page = Page.of(client.get("/staff/reports?grain=month&day=2026-10-09").data)

    assert "October 2026" in text_of(page, "showing")
    assert table_rows(page, "top-themes") == [["Cycle theft", "40", "0", "+40"]]


def test_filters_that_cannot_be_used_are_explained(
    app: Flask, client: FlaskClient, facts: None
) -> None:
    client = as_role(app, client, "commissioner_office")
    page = Page.of(client.get("/staff/reports?district=atlantis&day=18/11/2026&grain=year").data)

    assert page.title.startswith("Error: ")
    assert page.error_summary() == [
        ("Select a district from the list", "#district"),
        ("Select week or month", "#grain"),
        ("Enter a day as year-month-day, for example 2026-11-18", "#day"),
    ]
    assert page.field_error("day") == "Enter a day as year-month-day, for example 2026-11-18"
    assert page.value("day") == "18/11/2026"
    assert page.soup.find(id="figures") is None


@pytest.fixture
def digest(app: Flask, facts: None, tmp_path: Path) -> Digest:
    outbox = tmp_path / "outbox"
    app.config["ENGAGE_OUTBOX_DIR"] = outbox
    with app.app_context():
        session = db.session()
        context = JobContext(
            now=datetime(2026, 11, 23, 6, 0, tzinfo=UTC),
            triggered_by="test",
            settings={
                "config_dir": PROJECT_ROOT / "config",
                "outbox_dir": outbox,
                "digest_renderer": DigestWriter(pdf=False),
            },
        )
        build_digest(session, W47, context)
        row = session.query(Digest).one()
        session.expunge(row)
        return row


def test_the_digests_in_the_outbox_are_listed_and_served_to_the_office(
    app: Flask, client: FlaskClient, digest: Digest
) -> None:
    client = as_role(app, client, "commissioner_office")
    page = Page.of(client.get("/staff/reports").data)

    digests = page.soup.find(id="digest-list")
    assert isinstance(digests, Tag)
    assert "Weekly digest, 2026-W47" in digests.get_text()
    links = {a.get_text(" ", strip=True).split(" (")[0]: a["href"] for a in digests.find_all("a")}
    assert {"digest.html", "top-themes.csv"} <= set(links)

    with client.get(links["top-themes.csv"]) as csv_response:
        assert csv_response.status_code == 200
        assert csv_response.headers["Content-Disposition"].startswith("attachment")
        assert b"Speeding" in csv_response.data
    with client.get(links["digest.html"]) as html:
        assert html.status_code == 200
        assert "weekly-2026-W47-digest.html" in html.headers["Content-Disposition"]


def test_digest_files_are_refused_to_other_roles_and_unknown_names(
    app: Flask, client: FlaskClient, digest: Digest, tmp_path: Path
) -> None:
    url = f"/staff/reports/digests/{digest.id}/top-themes.csv"
    assert as_role(app, client, "outreach").get(url).status_code == 403

    office = as_role(app, app.test_client(), "commissioner_office")
    assert office.get(f"/staff/reports/digests/{digest.id}/secrets.csv").status_code == 404
    assert office.get(f"/staff/reports/digests/{digest.id}/..%2Fsecrets.csv").status_code == 404
    assert office.get(f"/staff/reports/digests/{digest.id + 1}/digest.html").status_code == 404

    # A row pointing outside the outbox is never followed.
    with app.app_context():
        session = db.session()
        with write_transaction(session):
            row = session.get(Digest, digest.id)
            assert row is not None
            row.outbox_path = str(tmp_path)
    (tmp_path / "manifest.json").write_text('{"files": [{"name": "top-themes.csv"}]}')
    (tmp_path / "top-themes.csv").write_text("not a digest")
    assert office.get(url).status_code == 404


def test_the_report_period_is_the_latest_complete_one_when_no_day_is_given() -> None:
    from engage.reports.dashboard import report_period

    now = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # still 30 November in London (GMT)
    assert report_period("week", None, now) == W47.next()
    assert report_period("month", None, now) == Period.parse("2026-10")
    assert report_period("month", date(2026, 2, 14), now) == Period.parse("2026-02")
