"""A member of the commissioner's office opens a panel's pack in a real browser and records
the meeting that used it; axe-core finds no serious problems on the pack or the meeting form
(with and without errors)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engage.extensions import db
from engage.models import Panel, PanelMeeting, Priority, User
from engage.reference_data import reference_data
from engage.services import panels as panel_service
from engage.services.panel_pack import default_period
from jobs.framework import LONDON, london_today
from tests.browser.conftest import NewContext
from tests.browser.test_outreach_logging import sign_in
from tests.browser.test_resident_journey import AXE, SERIOUS
from tests.conftest import LiveServer
from tests.engage.panels.conftest import build_concern
from tests.factories import staff_user

pytestmark = pytest.mark.browser

PRIVATE = ("Pat Private", "pat.private@example.org", "07700 900456")


@pytest.fixture
def officer(app: Flask) -> User:
    with app.app_context():
        return staff_user(db.session(), role="commissioner_office", name="Chris Commissioner")


@pytest.fixture
def panel(app: Flask) -> Panel:
    """The Wisbech panel, with concerns in the pack's default period (today's, not frozen:
    the browser's session cookie lives on the real clock)."""
    today = london_today(datetime.now(UTC))
    period = default_period(today)
    recent = datetime.combine(period.end - timedelta(days=10), time(12), tzinfo=LONDON)
    with app.app_context():
        session = db.session()
        created = panel_service.create_panel(
            session, reference_data().areas, "fenland", "Wisbech", user_id=None, now=recent
        )
        concerns = [build_concern(theme="speeding", submitted_at=recent) for _ in range(6)]
        concerns += [build_concern(theme="drugs", submitted_at=recent) for _ in range(3)]
        concerns.append(
            build_concern(
                theme="parking",
                submitted_at=recent,
                text=f"Vans on the verge, call {PRIVATE[0]} on {PRIVATE[2]}",
                text_redacted="Vans on the verge, call [name] on [phone]",
                contact={"name": PRIVATE[0], "email": PRIVATE[1], "phone": PRIVATE[2]},
            )
        )
        session.add_all(concerns)
        session.commit()
        session.expunge(created)
        return created


def no_serious_problems(page: Page) -> None:
    page.add_script_tag(path=AXE)
    results: dict[str, Any] = page.evaluate("() => axe.run(document)")
    problems = [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]
    assert problems == [], "\n".join(problems)


def fill_date(page: Page, name: str, day: datetime | Any) -> None:
    page.locator(f"[id='{name}-day']").fill(str(day.day))
    page.locator(f"[id='{name}-month']").fill(str(day.month))
    page.locator(f"[id='{name}-year']").fill(str(day.year))


def test_staff_open_a_pack_and_record_the_meeting_that_used_it(
    app: Flask, live_server: LiveServer, new_context: NewContext, officer: User, panel: Panel
) -> None:
    today = london_today(datetime.now(UTC))
    # axe is injected as an inline script, which the pages' CSP (rightly) refuses.
    page = new_context(bypass_csp=True).new_page()
    sign_in(page, live_server, officer)

    page.get_by_role("navigation", name="Staff sections").get_by_role("link", name="Panels").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neighbourhood panels")
    page.get_by_role("link", name=f"Panel pack for {panel.name}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(panel.name)
    ranking = page.locator("#table-ranking tbody tr")
    expect(ranking).to_have_count(3)
    expect(ranking.nth(0)).to_contain_text("Speeding")
    expect(ranking.nth(2)).to_contain_text("fewer than 5")
    expect(page.locator("main")).to_contain_text("Vans on the verge, call [name] on [phone]")
    for detail in PRIVATE:
        expect(page.locator("body")).not_to_contain_text(detail)
    no_serious_problems(page)

    page.get_by_role("link", name="Record a meeting using this evidence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a meeting")
    no_serious_problems(page)

    fill_date(page, "held_on", today)
    page.get_by_label("How many people attended?").fill("12")
    slot = page.locator("fieldset.engage-slot").nth(0)
    slot.get_by_label("Priority as it will be published").fill("Tackle speeding on the Lynn Road")
    slot.get_by_label("Speeding", exact=True).check()
    page.get_by_role("button", name="Save the meeting and its priorities").click()

    expect(page).to_have_title(re.compile(r"^Error: Record a meeting"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter who owns the priority")
    no_serious_problems(page)
    summary.get_by_role("link", name="Enter who owns the priority").click()
    expect(page.locator("[id='priorities-0-owner']")).to_be_focused()
    page.keyboard.type("Wisbech neighbourhood policing team")
    fill_date(page, "priorities-0-review_on", today + timedelta(days=91))
    second = page.locator("fieldset.engage-slot").nth(1)
    second.get_by_label("Priority as it will be published").fill(
        "Reduce drug dealing near the park"
    )
    second.get_by_label("Drugs", exact=True).check()
    second.get_by_label("Who owns it?").fill("Wisbech neighbourhood policing team")
    fill_date(page, "priorities-1-review_on", today + timedelta(days=60))
    page.get_by_role("button", name="Save the meeting and its priorities").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(panel.name)
    expect(page.locator("main")).to_contain_text("Priority 1: Tackle speeding on the Lynn Road")
    with app.app_context():
        meeting = db.session.scalars(
            select(PanelMeeting).options(
                selectinload(PanelMeeting.priorities).selectinload(Priority.themes)
            )
        ).one()
        assert (meeting.held_on, meeting.attendees) == (today, 12)
        assert (meeting.period_start, meeting.period_end) == (
            default_period(today).start,
            default_period(today).end,
        )
        assert [(p.wording, [t.theme for t in p.themes]) for p in meeting.priorities] == [
            ("Tackle speeding on the Lynn Road", ["speeding"]),
            ("Reduce drug dealing near the park", ["drugs"]),
        ]
