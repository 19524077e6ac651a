"""A resident tells us their priority in a real browser: mouse, keyboard, no JavaScript, a
phone, and what axe-core finds wrong for people using assistive technology."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from engage.extensions import db
from engage.models import Concern
from engage.references import ALPHABET
from engage.services import intake
from tests.browser.conftest import NewContext
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

QUESTION = "What is the one issue you would like the police to tackle"
PLACE = "Neighbourhood, village or postcode (optional)"
CONCERN = "Cars racing along the High Street every night"
NOWHERE = "somewhere over the rainbow"  # suggests no district
REFERENCE = re.compile(rf"PP-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 667}


def stored(app: Flask) -> list[Concern]:
    with app.app_context():
        concerns = list(db.session.scalars(select(Concern).order_by(Concern.id)))
        db.session.expunge_all()
        return concerns


def send_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Send", exact=True)


def reference_on(page: Page) -> str:
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    reference = page.locator(".engage-reference").inner_text().strip()
    assert REFERENCE.fullmatch(reference), reference
    return reference


def make_a_mistake_then_correct_it(page: Page, server: LiveServer, *, scripts: bool) -> str:
    """Send without a district, meet the error, choose one by its label, send; the reference."""
    page.goto(f"{server.url}/")
    expect(page).to_have_title(re.compile(r"^Tell us your policing priority"))
    page.get_by_label(QUESTION).fill(CONCERN)
    page.get_by_label(PLACE).fill(NOWHERE)
    send_button(page).click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    link = summary.get_by_role("link", name="Select the district you live in")
    expect(link).to_have_attribute("href", "#district")
    # What a screen reader announces on reaching the radios.
    districts = page.get_by_role("group", name="Which district do you live in?")
    expect(districts).to_have_accessible_description(
        re.compile(r"Error:\s+Select the district you live in")
    )
    expect(page.get_by_label(QUESTION)).to_have_value(CONCERN)
    expect(page.get_by_label(PLACE)).to_have_value(NOWHERE)
    if scripts:
        # GOV.UK Frontend moves focus to the summary so a screen reader announces it, and
        # its links move focus to the field (not just scroll to it).
        expect(summary).to_be_focused()
        link.click()
        expect(page.get_by_role("radio", name="Cambridge City")).to_be_focused()
    else:
        link.click()
        expect(page).to_have_url(f"{server.url}/#district")

    page.get_by_label("Fenland").check()
    send_button(page).click()
    expect(page).to_have_url(f"{server.url}/confirmation")
    return reference_on(page)


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_a_resident_corrects_a_mistake_and_gets_a_reference_that_is_stored(
    app: Flask, live_server: LiveServer, new_context: NewContext, scripts: bool
) -> None:
    page = new_context(java_script_enabled=scripts).new_page()

    reference = make_a_mistake_then_correct_it(page, live_server, scripts=scripts)

    (concern,) = stored(app)
    assert concern.reference == reference
    assert concern.text == CONCERN
    assert concern.district == "fenland"
    assert concern.place == NOWHERE
    assert concern.channel == "web"


def tab_to(page: Page, target: Locator, most: int = 60) -> int:
    """Press Tab until ``target`` has the focus; how many presses it took."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if target.evaluate("node => node === document.activeElement"):
            return presses
    raise AssertionError(f"Tab never reached {target} in {most} presses")


def test_the_form_can_be_filled_in_and_sent_with_the_keyboard_alone(
    app: Flask, live_server: LiveServer, page: Page
) -> None:
    page.goto(f"{live_server.url}/")

    assert tab_to(page, page.get_by_role("link", name="Skip to main content")) == 1
    tab_to(page, page.get_by_label(QUESTION))
    page.keyboard.type(CONCERN)
    tab_to(page, page.get_by_role("radio", name="Cambridge City"))
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name="Cambridge City")).to_be_checked()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Fenland")).to_be_checked()
    tab_to(page, send_button(page))
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/confirmation")
    reference = reference_on(page)
    (concern,) = stored(app)
    assert (concern.reference, concern.text, concern.district) == (reference, CONCERN, "fenland")


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    screen = page.viewport_size["width"] if page.viewport_size else PHONE["width"]
    assert width <= screen, f"{page.url} is {width}px wide on a {screen}px screen"


WIDEST_REFERENCE = "PP-WWWW-WWWW"
WIDEST_CHARACTER = """(element) => {
    const context = document.createElement("canvas").getContext("2d");
    context.font = getComputedStyle(element).font;
    const width = (character) => context.measureText(character).width;
    return [...element.dataset.alphabet].reduce((a, b) => (width(b) > width(a) ? b : a));
}"""


def test_no_page_scrolls_sideways_on_a_phone(
    sqlite_live_server: LiveServer, new_context: NewContext
) -> None:
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    server = sqlite_live_server

    for path in ("/", "/privacy", "/accessibility", "/cookies"):
        page.goto(f"{server.url}{path}")
        no_horizontal_scroll(page)
    page.goto(f"{server.url}/")
    send_button(page).click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    no_horizontal_scroll(page)
    page.get_by_label(QUESTION).fill(CONCERN)
    page.get_by_label("Fenland").check()
    send_button(page).click()
    reference_on(page)
    no_horizontal_scroll(page)


@pytest.mark.parametrize("screen_width", [320, PHONE["width"]])
def test_the_widest_possible_reference_fits_a_small_screen_and_reads_whole(
    sqlite_live_server: LiveServer,
    new_context: NewContext,
    monkeypatch: pytest.MonkeyPatch,
    screen_width: int,
) -> None:
    """References are random, so the widest one is forced; 320px is the width WCAG's
    reflow criterion asks content to fit without scrolling sideways."""
    monkeypatch.setattr(intake, "new_reference", lambda: WIDEST_REFERENCE)
    page = new_context(
        viewport={"width": screen_width, "height": 640}, is_mobile=True, has_touch=True
    ).new_page()
    page.goto(f"{sqlite_live_server.url}/")
    page.get_by_label(QUESTION).fill(CONCERN)
    page.get_by_label("Fenland").check()
    send_button(page).click()

    assert reference_on(page) == WIDEST_REFERENCE
    reference = page.locator(".engage-reference")
    reference.evaluate(f"node => {{ node.dataset.alphabet = {ALPHABET!r}; }}")
    assert reference.evaluate(WIDEST_CHARACTER) == "W"
    no_horizontal_scroll(page)


def open_form(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/")


def form_with_errors(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/")
    page.get_by_label(PLACE).fill(NOWHERE)
    send_button(page).click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def urgent_advice(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/")
    page.get_by_label(QUESTION).fill("my partner hits me")
    page.get_by_label("Fenland").check()
    send_button(page).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("call 999")


def confirmation(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/")
    page.get_by_label(QUESTION).fill(CONCERN)
    page.get_by_label("Fenland").check()
    send_button(page).click()
    reference_on(page)


def static_page(path: str) -> Callable[[Page, LiveServer], None]:
    def visit(page: Page, server: LiveServer) -> None:
        page.goto(f"{server.url}{path}")

    return visit


SERIOUS = ("serious", "critical")


@pytest.mark.parametrize(
    "reach",
    [
        pytest.param(open_form, id="form"),
        pytest.param(form_with_errors, id="form-with-errors"),
        pytest.param(urgent_advice, id="urgent-advice"),
        pytest.param(confirmation, id="confirmation"),
        pytest.param(static_page("/privacy"), id="privacy"),
        pytest.param(static_page("/accessibility"), id="accessibility"),
        pytest.param(static_page("/cookies"), id="cookies"),
    ],
)
def test_axe_finds_no_serious_accessibility_problems(
    sqlite_live_server: LiveServer,
    new_context: NewContext,
    reach: Callable[[Page, LiveServer], None],
) -> None:
    # axe is injected as an inline script, which the pages' CSP (rightly) refuses.
    page = new_context(bypass_csp=True).new_page()
    reach(page, sqlite_live_server)
    page.add_script_tag(path=AXE)
    results: dict[str, Any] = page.evaluate("() => axe.run(document)")

    problems = [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]
    assert problems == [], "\n".join(problems)
