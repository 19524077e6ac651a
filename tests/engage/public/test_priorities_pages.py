"""The public priorities pages: find your area, then read what your panel agreed, what was
done and what residents said, with no sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from engage.models import Panel
from tests.engage.public.conftest import Send
from tests.pages import Page
from tests.panel_records import (
    add_action,
    add_concerns,
    add_meeting,
    add_panel,
    add_priority,
    add_quote,
    resident_concern,
)


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


def links(page: Page) -> dict[str, str]:
    main = page.soup.find("main")
    assert main is not None
    return {a.get_text(" ", strip=True): str(a["href"]) for a in main.find_all("a")}


def test_the_start_page_asks_which_district(client: FlaskClient) -> None:
    response = client.get("/priorities")

    page = Page.of(response.data)
    assert response.status_code == 200
    assert page.heading == "Find the People's Priorities for your area"
    radios = page.soup.select("input[type=radio][name=district]")
    assert [r["value"] for r in radios] == [
        "cambridge_city",
        "east_cambridgeshire",
        "fenland",
        "huntingdonshire",
        "peterborough",
        "south_cambridgeshire",
    ]
    form = page.soup.find("form")
    assert form is not None
    assert (form["method"], form["action"]) == ("get", "/priorities")


@pytest.mark.parametrize("query", ["find=1", "district=&find=1", "district=atlantis"])
def test_no_district_or_an_unknown_one_is_an_error_next_to_the_question(
    sqlite_client: FlaskClient, query: str
) -> None:
    response = sqlite_client.get(f"/priorities?{query}")

    page = Page.of(response.data)
    assert response.status_code == 400
    assert page.title.startswith("Error: ")
    assert page.error_summary() == [("Select the district where you live", "#district")]
    assert page.field_error("district") == "Select the district where you live"


def test_a_district_lists_its_panels_only(client: FlaskClient, session: Session) -> None:
    add_panel(session, slug="fenland", name="Fenland district panel", neighbourhood=None)
    add_panel(session)
    add_panel(
        session, slug="fenland-march", name="March neighbourhood panel", neighbourhood="March"
    )
    add_panel(
        session,
        slug="peterborough-central",
        name="Central neighbourhood panel",
        district="peterborough",
        neighbourhood="Central",
    )

    page = Page.of(client.get("/priorities?district=fenland").data)

    assert page.heading == "People's Priorities in Fenland"
    assert {k: v for k, v in links(page).items() if v.startswith("/priorities/")} == {
        "Fenland district panel": "/priorities/fenland",
        "March neighbourhood panel": "/priorities/fenland-march",
        "Wisbech neighbourhood panel (Fenland)": "/priorities/fenland-wisbech",
    }


def test_a_district_without_a_panel_says_so(sqlite_client: FlaskClient) -> None:
    page = Page.of(sqlite_client.get("/priorities?district=huntingdonshire").data)

    assert "There is no neighbourhood panel in Huntingdonshire yet" in page.text()


def test_a_panel_page_shows_current_priorities_actions_and_review_dates(
    client: FlaskClient, session: Session, panel: Panel
) -> None:
    meeting = add_meeting(session, panel)
    priority = add_priority(
        session,
        meeting,
        themes=("speeding", "road_safety"),
        wording="Tackle speeding on the High Street",
        owner="Wisbech neighbourhood policing team",
        review_on=date(2027, 2, 18),
    )
    add_action(session, priority, taken_on=date(2026, 12, 5), description="A speed camera van")
    add_action(session, priority, taken_on=date(2026, 11, 28), description="Speed checks")

    response = client.get("/priorities/fenland-wisbech")

    page = Page.of(response.data)
    assert response.status_code == 200
    assert page.heading == "Wisbech neighbourhood panel (Fenland)"
    section = page.soup.select_one("section.engage-priority")
    assert section is not None
    assert section.h3 is not None
    assert section.h3.get_text(strip=True) == "Tackle speeding on the High Street"
    rows = {
        dt.get_text(strip=True): dd.get_text(" ", strip=True)
        for dt, dd in zip(section.select("dt"), section.select("dd"), strict=True)
    }
    assert rows == {
        "Covers": "Road safety (other), Speeding",
        "Agreed on": "19 November 2026",
        "Responsible": "Wisbech neighbourhood policing team",
        "Review by": "18 February 2027",
    }
    done = [li.get_text(" ", strip=True) for li in section.select("li")]
    assert done == ["28 November 2026 : Speed checks", "5 December 2026 : A speed camera van"]
    assert section.select_one("time")["datetime"] == "2026-11-19"  # type: ignore[index]
    assert "You said, we did" not in page.text()


def test_past_priorities_show_their_outcome_under_you_said_we_did(
    client: FlaskClient, session: Session, panel: Panel
) -> None:
    earlier = add_meeting(session, panel, held_on=date(2026, 8, 20))
    add_priority(
        session,
        earlier,
        wording="Stop drug dealing in the park",
        themes=("drugs",),
        status="achieved",
        outcome="Two arrests and a closure order on the flat",
        outcome_on=date(2026, 11, 1),
    )
    add_priority(session, add_meeting(session, panel), wording="Tackle speeding")

    page = Page.of(client.get("/priorities/fenland-wisbech").data)

    headings = [h.get_text(strip=True) for h in page.soup.select("h2, h3")]
    assert headings[:4] == [
        "Current priorities",
        "Tackle speeding",
        "You said, we did",
        "Stop drug dealing in the park",
    ]
    text = page.text()
    assert "Outcome Achieved on 1 November 2026 Two arrests and a closure order" in text


def test_a_panel_with_nothing_agreed_says_so_plainly(
    client: FlaskClient, session: Session, panel: Panel
) -> None:
    page = Page.of(client.get("/priorities/fenland-wisbech").data)

    assert "This panel has not agreed any priorities yet." in page.text()
    assert page.soup.select("section.engage-priority") == []


def test_published_quotes_from_the_area_appear_and_others_do_not(
    client: FlaskClient, session: Session, panel: Panel
) -> None:
    here, elsewhere, quarantined = add_concerns(
        session,
        resident_concern(),
        resident_concern(neighbourhood="March"),
        resident_concern(status="quarantined"),
    )
    add_quote(session, here, "The racing goes on until two in the morning")
    add_quote(session, elsewhere, "Quote from March")
    add_quote(session, quarantined, "Quote from a quarantined concern")

    page = Page.of(client.get("/priorities/fenland-wisbech").data)

    quotes = [q.get_text(strip=True) for q in page.soup.select("blockquote")]
    assert quotes == ["The racing goes on until two in the morning"]


def test_an_unknown_panel_is_page_not_found(sqlite_client: FlaskClient) -> None:
    response = sqlite_client.get("/priorities/nowhere")

    assert response.status_code == 404
    assert Page.of(response.data).heading == "Page not found"


def test_the_page_links_to_its_open_data(
    sqlite_client: FlaskClient, sqlite_app: Flask, tmp_path: object
) -> None:
    from engage.extensions import db

    with sqlite_app.app_context():
        add_panel(db.session())

    page = Page.of(sqlite_client.get("/priorities/fenland-wisbech").data)

    found = links(page)
    assert found["download them as a spreadsheet (CSV)"] == (
        "/api/v1/neighbourhoods/fenland-wisbech/priorities.csv"
    )
    assert found["read them as JSON"] == "/api/v1/neighbourhoods/fenland-wisbech/priorities"


def test_the_footer_and_the_confirmation_page_lead_to_the_priorities(
    sqlite_client: FlaskClient, sqlite_send: Send
) -> None:
    footer = Page.of(sqlite_client.get("/").data).soup.select_one(".govuk-footer")
    assert footer is not None
    assert footer.find("a", href="/priorities") is not None

    confirmation = sqlite_client.get(sqlite_send().headers["Location"])

    page = Page.of(confirmation.data)
    assert links(page)["see the priorities in Fenland"] == "/priorities?district=fenland"


def test_the_page_reads_the_database_a_fixed_number_of_times(
    client: FlaskClient, session: Session, app: Flask, panel: Panel
) -> None:
    from engage.extensions import db

    def statements_for_page() -> int:
        with app.app_context():
            engine = db.engine
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/priorities/fenland-wisbech").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    meeting = add_meeting(session, panel)
    add_action(session, add_priority(session, meeting))
    with_one = statements_for_page()
    for _ in range(5):
        priority = add_priority(session, meeting, themes=("speeding", "parking", "drugs"))
        add_action(session, priority)
        add_action(session, priority)
    with_six = statements_for_page()

    assert with_one == with_six
    # The panel, its priorities with their themes and actions, the quotes (SQLite adds a BEGIN).
    assert with_six <= 4
