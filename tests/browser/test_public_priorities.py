"""A resident finds their panel's priorities in a real browser, with and without JavaScript,
and axe-core finds nothing serious in the pages for people using assistive technology."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from engage.extensions import db
from tests.browser.conftest import NewContext
from tests.conftest import LiveServer
from tests.panel_records import (
    add_action,
    add_concerns,
    add_meeting,
    add_panel,
    add_priority,
    add_quote,
    resident_concern,
)

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


@pytest.fixture
def server(sqlite_app: Flask) -> Iterator[LiveServer]:
    with sqlite_app.app_context():
        session = db.session()
        panel = add_panel(session)
        earlier = add_meeting(session, panel, held_on=date(2026, 8, 20))
        add_priority(
            session,
            earlier,
            wording="Stop drug dealing in the park",
            themes=("drugs",),
            status="achieved",
            outcome="Two arrests and a closure order",
            outcome_on=date(2026, 11, 1),
        )
        priority = add_priority(session, add_meeting(session, panel), themes=("speeding",))
        add_action(session, priority)
        (concern,) = add_concerns(session, resident_concern())
        add_quote(session, concern, "The racing goes on until two in the morning")
        add_panel(session, slug="fenland-march", name="March panel", neighbourhood="March")
        session.close()
    with LiveServer(sqlite_app) as live:
        yield live


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_a_resident_finds_their_panels_priorities(
    server: LiveServer, new_context: NewContext, scripts: bool
) -> None:
    page = new_context(java_script_enabled=scripts).new_page()
    page.goto(f"{server.url}/")
    page.get_by_role("link", name="Priorities in your area").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Find the People's Priorities for your area"
    )
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    page.locator(".govuk-error-summary").get_by_role("link").click()
    page.get_by_label("Fenland").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("People's Priorities in Fenland")
    page.get_by_role("link", name="Wisbech neighbourhood panel (Fenland)").click()

    expect(page).to_have_url(f"{server.url}/priorities/fenland-wisbech")
    current = page.get_by_role("region", name="Tackle speeding on the High Street")
    expect(current).to_contain_text("Speeding")
    expect(current).to_contain_text("Speed checks on the High Street on three evenings")
    expect(page.get_by_role("heading", name="You said, we did")).to_be_visible()
    expect(page.get_by_role("region", name="Stop drug dealing in the park")).to_contain_text(
        "Two arrests and a closure order"
    )
    expect(page.locator("blockquote")).to_have_text("The racing goes on until two in the morning")


def axe_problems(page: Page) -> list[str]:
    page.add_script_tag(path=AXE)
    results: dict[str, Any] = page.evaluate("() => axe.run(document)")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/priorities",
        "/priorities?find=1",
        "/priorities?district=fenland",
        "/priorities?district=huntingdonshire",
        "/priorities/fenland-wisbech",
        "/priorities/fenland-march",
    ],
)
def test_axe_finds_no_serious_accessibility_problems(
    server: LiveServer, new_context: NewContext, path: str
) -> None:
    # axe is injected as an inline script, which the pages' CSP (rightly) refuses.
    page = new_context(bypass_csp=True).new_page()
    page.goto(f"{server.url}{path}")

    problems = axe_problems(page)

    assert problems == [], "\n".join(problems)
