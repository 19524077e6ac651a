"""Searching concerns: each filter, the date checks, paging, and a panel member's scope."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engage.extensions import db
from engage.repository.concern_search import (
    ConcernFilters,
    Scope,
    count_concerns,
    fetch_concern_page,
)
from tests.engage.triage.conftest import WEDNESDAY, MakeConcern, MakeUser, as_role
from tests.pages import Page


def found(app: Flask, filters: ConcernFilters, scope: Scope | None = None) -> list[str]:
    with app.app_context():
        page = fetch_concern_page(db.session(), filters, scope or Scope(), per_page=100)
        return [c.text for c in page.items]


@pytest.fixture
def variety(make_concern: MakeConcern) -> None:
    make_concern(text="A", district="fenland", neighbourhood="March", theme="speeding")
    make_concern(
        text="B",
        district="peterborough",
        neighbourhood="Orton",
        theme="drugs",
        secondary=["noise"],
        channel="surgery",
        submitted_at=WEDNESDAY - timedelta(days=1),
    )
    make_concern(
        text="C",
        text_redacted="Dealing 100% by [redacted] near the_park",
        district="peterborough",
        neighbourhood="Bretton",
        theme="noise",
        status="handled",
        urgency="urgent",
        submitted_at=WEDNESDAY - timedelta(days=2),
    )


@pytest.mark.usefixtures("variety")
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ConcernFilters(), ["A", "B", "C"]),
        (ConcernFilters(district="peterborough"), ["B", "C"]),
        (ConcernFilters(neighbourhood="Orton"), ["B"]),
        (ConcernFilters(theme="noise"), ["B", "C"]),
        (ConcernFilters(channel="surgery"), ["B"]),
        (ConcernFilters(status="handled"), ["C"]),
        (ConcernFilters(urgency="urgent"), ["C"]),
        (ConcernFilters(contains="dealing"), ["C"]),
        (ConcernFilters(contains="100%"), ["C"]),
        (ConcernFilters(contains="0%"), ["C"]),
        (ConcernFilters(contains="the_park"), ["C"]),
        (ConcernFilters(contains="%"), ["C"]),
        (ConcernFilters(contains="_"), ["C"]),
        (ConcernFilters(submitted_from=date(2026, 11, 17)), ["A", "B"]),
        (ConcernFilters(submitted_to=date(2026, 11, 17)), ["B", "C"]),
        (
            ConcernFilters(submitted_from=date(2026, 11, 17), submitted_to=date(2026, 11, 17)),
            ["B"],
        ),
        (ConcernFilters(district="fenland", theme="drugs"), []),
    ],
)
def test_each_filter_narrows_the_concerns_newest_first(
    app: Flask, filters: ConcernFilters, expected: list[str]
) -> None:
    assert found(app, filters) == expected


def test_dates_are_london_calendar_days(app: Flask, make_concern: MakeConcern) -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London.
    make_concern(text="late", submitted_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))

    assert found(app, ConcernFilters(submitted_from=date(2026, 7, 1))) == ["late"]
    assert found(app, ConcernFilters(submitted_to=date(2026, 6, 30))) == []


@pytest.mark.usefixtures("variety")
def test_a_scope_cannot_be_widened_by_filters(app: Flask) -> None:
    fenland = Scope.limited_to("fenland")
    orton = Scope.limited_to("peterborough", "Orton")

    assert found(app, ConcernFilters(), fenland) == ["A"]
    assert found(app, ConcernFilters(district="peterborough"), fenland) == []
    assert found(app, ConcernFilters(), orton) == ["B"]
    assert found(app, ConcernFilters(), Scope.limited_to(None)) == []
    with app.app_context():
        assert count_concerns(db.session(), ConcernFilters(), orton) == 1


def test_the_search_page_filters_from_the_query_string_and_pages(
    app: Flask, as_analyst: FlaskClient, make_concern: MakeConcern
) -> None:
    for n in range(30):
        make_concern(text=f"Concern {n}", submitted_at=WEDNESDAY + timedelta(minutes=n))
    make_concern(text="Elsewhere", district="peterborough")

    page = Page.of(as_analyst.get("/staff/concerns?district=fenland&page=2").data)

    assert page.soup.select_one("#result-count").get_text(strip=True) == "30 concerns"
    texts = [td.get_text() for td in page.soup.select(".engage-concern-text")]
    assert texts == [f"Concern {n}" for n in range(4, -1, -1)]
    assert (
        page.value("district") is None
        or page.soup.select_one("#district option[selected]")["value"] == "fenland"
    )
    next_link = page.soup.select_one(".govuk-pagination__prev a")
    assert next_link is not None
    assert "district=fenland" in next_link["href"]


@pytest.mark.parametrize(
    ("query", "message", "link"),
    [
        (
            "submitted_from=1&submitted_from=&submitted_from=2026",
            "The from date must include a month",
            "#submitted_from-day",
        ),
        (
            "submitted_from=31&submitted_from=2&submitted_from=2026",
            "The from date must be a real date",
            "#submitted_from-day",
        ),
        (
            "submitted_from=2&submitted_from=3&submitted_from=2026"
            "&submitted_to=1&submitted_to=3&submitted_to=2026",
            "The to date must be the same as or after the from date",
            "#submitted_to-day",
        ),
        ("district=atlantis", "Choose a district from the list", "#district"),
        (
            "district=fenland&neighbourhood=Orton",
            "Orton is not in Fenland: choose a neighbourhood of that district, "
            "or any neighbourhood",
            "#neighbourhood",
        ),
    ],
)
def test_the_search_page_explains_filters_it_cannot_use(
    as_analyst: FlaskClient, query: str, message: str, link: str
) -> None:
    page = Page.of(as_analyst.get(f"/staff/concerns?{query}").data)

    assert page.title.startswith("Error: ")
    assert page.error_summary() == [(message, link)]
    assert page.soup.select(".engage-concern-text") == []


def test_what_was_typed_in_a_date_is_kept(as_analyst: FlaskClient) -> None:
    page = Page.of(
        as_analyst.get(
            "/staff/concerns?submitted_from=31&submitted_from=2&submitted_from=2026"
        ).data
    )
    assert [i["value"] for i in page.soup.select("input[name=submitted_from]")] == [
        "31",
        "2",
        "2026",
    ]


def test_a_panel_member_reads_only_redacted_text_from_their_own_area(
    client: FlaskClient, make_user: MakeUser, make_concern: MakeConcern
) -> None:
    mine = make_concern(
        text="Gary deals on Elm Road",
        text_redacted="[redacted] deals on Elm Road",
        contact={"name": "A Resident", "email": "r@example.org", "phone": None},
    )
    make_concern(text="Elsewhere", district="peterborough", neighbourhood="Orton")
    as_role(client, make_user, "panel", district_scope="fenland")

    page = Page.of(client.get("/staff/concerns").data)
    wider = Page.of(client.get("/staff/concerns?district=peterborough").data)

    assert [td.get_text() for td in page.soup.select(".engage-concern-text")] == [
        "[redacted] deals on Elm Road"
    ]
    assert "Gary" not in page.text()
    assert "r@example.org" not in page.text()
    assert page.soup.select(f'a[href="/staff/concerns/{mine.reference}"]') == []
    assert wider.error_summary() == [("Choose a district from the list", "#district")]


@pytest.mark.parametrize("role", ["analyst", "admin", "commissioner_office", "panel"])
def test_who_may_search(client: FlaskClient, make_user: MakeUser, role: str) -> None:
    assert as_role(client, make_user, role).get("/staff/concerns").status_code == 200


def test_outreach_workers_do_not_search(client: FlaskClient, make_user: MakeUser) -> None:
    assert as_role(client, make_user, "outreach").get("/staff/concerns").status_code == 403
