"""The office narrows the reports dashboard to one neighbourhood in a real browser, without
JavaScript, meets the error for a neighbourhood outside the chosen district, and axe-core
finds no serious problem on either page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from engage.database import write_transaction
from engage.extensions import db
from engage.models import User
from jobs.framework import Period, london_today
from tests.browser.conftest import NewContext
from tests.browser.test_outreach_logging import sign_in
from tests.browser.test_panel_pack import no_serious_problems
from tests.conftest import LiveServer
from tests.factories import staff_user
from tests.rollup_facts import fact

pytestmark = pytest.mark.browser


@pytest.fixture
def officer(app: Flask) -> User:
    """A member of the office, and last week's counts (on the real clock: the browser's
    session cookie lives on it) in two Fenland neighbourhoods."""
    week = Period.containing("week", london_today(datetime.now(UTC))).previous()
    with app.app_context():
        session = db.session()
        with write_transaction(session):
            session.add(fact(week, "fenland", "speeding", "web", 9, neighbourhood="Wisbech"))
            session.add(fact(week, "fenland", "drugs", "web", 4, neighbourhood="Wisbech"))
            session.add(fact(week, "fenland", "drugs", "web", 30, neighbourhood="March"))
        return staff_user(db.session(), role="commissioner_office", name="Chris Commissioner")


def choose_wisbech_then_peterborough(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/staff/reports")
    page.get_by_label("Neighbourhood", exact=True).select_option(label="Wisbech (Fenland)")
    page.get_by_role("button", name="Show figures").click()

    expect(page.locator("#showing")).to_contain_text("district Fenland, neighbourhood Wisbech")
    expect(page.locator("#table-top-themes tbody tr")).to_have_count(2)
    expect(page.locator("#table-top-themes tbody tr").nth(0)).to_contain_text("Speeding")
    expect(page.locator("#emerging-issues-scope")).to_contain_text("for all of Fenland")

    page.get_by_label("District", exact=True).select_option(label="Peterborough")
    page.get_by_role("button", name="Show figures").click()

    expect(page).to_have_title(re.compile(r"^Error: Reports"))
    message = "Select a neighbourhood in Peterborough, or All neighbourhoods"
    expect(page.locator(".govuk-error-summary")).to_contain_text(message)
    expect(page.locator("#neighbourhood-error")).to_contain_text(message)
    expect(page.get_by_label("Neighbourhood", exact=True)).to_have_value("fenland/Wisbech")


def test_the_office_filters_by_neighbourhood_without_javascript(
    live_server: LiveServer, new_context: NewContext, officer: User
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server, officer)

    choose_wisbech_then_peterborough(page, live_server)


def test_axe_finds_no_serious_problem_on_the_filtered_dashboard_or_its_errors(
    live_server: LiveServer, new_context: NewContext, officer: User
) -> None:
    # axe is injected as an inline script, which the pages' CSP (rightly) refuses.
    page = new_context(bypass_csp=True).new_page()
    sign_in(page, live_server, officer)

    page.goto(f"{live_server.url}/staff/reports?neighbourhood=fenland/Wisbech")
    no_serious_problems(page)
    page.goto(
        f"{live_server.url}/staff/reports?district=peterborough&neighbourhood=fenland/Wisbech"
    )
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    no_serious_problems(page)
