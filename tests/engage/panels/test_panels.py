"""Listing panels, setting one up (page and ``engage panels sync``), and overdue reviews."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engage.extensions import db
from engage.models import Panel
from engage.reference_data import reference_data
from engage.services.panels import slug_for
from tests.engage.panels.conftest import audit_events, post_from
from tests.factories import signed_in, staff_user
from tests.pages import Page
from tests.panel_records import add_meeting, add_priority


def stored_panels(app: Flask) -> dict[str, tuple[str, str, str | None]]:
    with app.app_context():
        return {
            p.slug: (p.name, p.district, p.neighbourhood) for p in db.session.scalars(select(Panel))
        }


def test_slugs_are_stable_and_url_safe() -> None:
    assert slug_for("fenland") == "fenland"
    assert slug_for("cambridge_city", "King's Hedges") == "cambridge-city-kings-hedges"
    assert slug_for("cambridge_city", "Queen Edith\u2019s") == "cambridge-city-queen-ediths"
    assert slug_for("huntingdonshire", "St Ives") == "huntingdonshire-st-ives"


def test_sync_creates_one_panel_per_district_and_neighbourhood_once(app: Flask) -> None:
    runner = app.test_cli_runner()

    first = runner.invoke(args=["panels", "sync"])

    with app.app_context():
        areas = reference_data().areas
        expected = sum(1 + len(d.neighbourhoods) for d in areas.districts)
    assert first.exit_code == 0, first.output
    assert first.output.endswith(f"{expected} panel(s) created.\n")
    panels = stored_panels(app)
    assert len(panels) == expected
    assert panels["fenland"] == ("Fenland district panel", "fenland", None)
    assert panels["cambridge-city-kings-hedges"] == (
        "King's Hedges neighbourhood panel (Cambridge City)",
        "cambridge_city",
        "King's Hedges",
    )

    again = runner.invoke(args=["panels", "sync"])

    assert again.output == "0 panel(s) created.\n"
    assert len(stored_panels(app)) == expected
    assert len(audit_events(app, "panel")) == 1


def test_staff_set_up_a_panel_for_a_neighbourhood(app: Flask, as_manager: FlaskClient) -> None:
    empty = post_from(as_manager, "/staff/panels/new", {"area": ""})
    assert empty.status_code == 400
    assert Page.of(empty.data).error_summary() == [("Select the area the panel is for", "#area")]

    response = post_from(as_manager, "/staff/panels/new", {"area": "fenland/March"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/panels/fenland-march"
    assert stored_panels(app) == {
        "fenland-march": ("March neighbourhood panel (Fenland)", "fenland", "March")
    }
    assert [e.detail for e in audit_events(app, "panel")] == [{"slug": "fenland-march"}]
    choices = Page.of(as_manager.get("/staff/panels/new").data).soup.select("#area option")
    assert "fenland/March" not in [option.get("value") for option in choices]


def test_overdue_reviews_show_on_the_panels_list_and_the_staff_home_page(
    app: Flask, client: FlaskClient, as_manager: FlaskClient, panel: Panel
) -> None:
    with app.app_context():
        session = db.session()
        meeting = add_meeting(session, session.get(Panel, panel.id), held_on=date(2026, 8, 20))
        add_priority(session, meeting, wording="Overdue priority", review_on=date(2026, 11, 13))
        add_priority(session, meeting, wording="Due today", review_on=date(2026, 11, 20))
        add_priority(
            session,
            meeting,
            wording="Ended priority",
            review_on=date(2026, 10, 1),
            status="achieved",
            outcome="Done",
            outcome_on=date(2026, 10, 1),
        )

    listing = Page.of(as_manager.get("/staff/panels").data)
    home = Page.of(as_manager.get("/staff").data)

    for page in (listing, home):
        table = page.soup.select_one("#overdue-reviews")
        assert table is not None
        assert [row.get_text(" ", strip=True) for row in table.select("tbody tr")] == [
            "Overdue priority Wisbech neighbourhood panel (Fenland) 13 November 2026 (7 days ago)"
        ]
    assert "Panel priorities to review" in home.text()
    assert "1 priority is past its review date" in listing.text()

    with app.app_context():
        outsider = staff_user(db.session(), role="panel", district_scope="peterborough")
        outreach = staff_user(db.session(), role="outreach")
    for person in (outsider, outreach):
        signed_in(client, person)
        assert "Panel priorities to review" not in Page.of(client.get("/staff").data).text()


def test_panel_members_see_only_the_panels_of_their_area(
    app: Flask, client: FlaskClient, panel: Panel
) -> None:
    app.test_cli_runner().invoke(args=["panels", "sync"])
    with app.app_context():
        wisbech_member = staff_user(
            db.session(), role="panel", district_scope="fenland", neighbourhood_scope="Wisbech"
        )
    signed_in(client, wisbech_member)

    page = Page.of(client.get("/staff/panels").data)

    names = [a.get_text(strip=True) for a in page.soup.select("tbody th a")]
    assert names == ["Wisbech neighbourhood panel (Fenland)"]
    assert "Set up a panel" not in page.text()
    assert client.get("/staff/panels/fenland").status_code == 404
    assert client.get(f"/staff/panels/{panel.slug}").status_code == 200
