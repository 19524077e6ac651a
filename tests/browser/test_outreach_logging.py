"""An outreach worker logs a session's concerns in a real browser with JavaScript on, using
the keyboard alone: rows are added without a page reload, focus moves to the new row, Enter
in a box does not send the page, and the saved concerns show their themes."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engage.extensions import db
from engage.models import Concern, User
from tests.browser.conftest import NewContext
from tests.conftest import LiveServer
from tests.engage.outreach.conftest import KeywordClassifier, make_session
from tests.factories import STAFF_PASSWORD, staff_user

pytestmark = pytest.mark.browser

CONCERNS = [
    "Cars speed down Elm Road at school time",
    "Rubbish dumped behind the garages",
    "Bikes stolen from outside the library",
    "Drug dealing in the park after dark",
    "Groups gathering by the shops",
    "Speeding on the A141 every evening",
]


def stored(app: Flask) -> list[Concern]:
    with app.app_context():
        concerns = list(db.session.scalars(select(Concern).order_by(Concern.id)))
        db.session.expunge_all()
        return concerns


def tab_until(page: Page, selector: str, most: int = 80) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement?.matches({selector!r}) ?? false"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def sign_in(page: Page, server: LiveServer, user: User) -> None:
    page.goto(f"{server.url}/staff/sign-in")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".engage-signed-in")).to_contain_text(user.name)


@pytest.fixture
def worker(app: Flask) -> User:
    with app.app_context():
        return staff_user(db.session(), role="outreach", name="Olu Outreach")


def test_a_worker_logs_six_concerns_with_the_keyboard_alone(
    app: Flask, live_server: LiveServer, new_context: NewContext, worker: User
) -> None:
    app.config["ENGAGE_CLASSIFY_INLINE"] = True
    app.extensions["engage.classifier"]._classifier = KeywordClassifier()
    session_id = make_session(app, worker, kind="community_event")
    page = new_context(java_script_enabled=True).new_page()
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}/staff/outreach/sessions/{session_id}/concerns")
    loads = []
    page.on("load", lambda _: loads.append(page.url))

    # No JavaScript, no "add one": the script swapped the five-row button for it.
    expect(page.get_by_role("button", name="Add another 5 rows")).to_have_count(0)
    add_one = page.get_by_role("button", name="Add another concern")
    expect(page.locator("[data-row]")).to_have_count(5)

    tab_until(page, "#rows-0-text")
    page.keyboard.type(CONCERNS[0])
    page.keyboard.press("Tab")  # to the place box
    page.keyboard.type("Wisbech")
    page.keyboard.press("Enter")  # would send the page if the script did not stop it
    expect(page.locator("#rows-0-place")).to_have_value("Wisbech")
    assert stored(app) == []

    for index, text in enumerate(CONCERNS[1:5], start=1):
        page.locator(f"#rows-{index}-text").focus()
        page.keyboard.type(text)

    add_one.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-row]")).to_have_count(6)
    expect(page.locator("#rows-5-text")).to_be_focused()
    expect(page.locator("[data-row]").nth(5).locator("legend")).to_have_text("Concern 6")
    expect(page.locator("[data-rows-status]")).to_have_text("Concern 6 added")
    page.keyboard.type(CONCERNS[5])

    add_one.focus()
    page.keyboard.press("Space")
    expect(page.locator("#rows-6-text")).to_be_focused()  # a seventh row, left blank
    assert loads == []  # rows were added without a page load

    tab_until(page, "button[value=save]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/staff/outreach/sessions/{session_id}$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("6 concerns logged")
    concerns = stored(app)
    assert [c.text for c in concerns] == CONCERNS
    assert {c.channel for c in concerns} == {"community_event"}
    assert concerns[0].neighbourhood == "Wisbech"
    expect(page.get_by_text("Speeding (91% sure)")).to_have_count(2)

    # Correct one theme right there, still by keyboard.
    bikes = concerns[2]
    page.locator(f"#theme-{bikes.id}").focus()
    page.keyboard.type("Vehicle crime")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Theme of {bikes.reference} changed to Vehicle crime"
    )
    assert stored(app)[2].theme == "vehicle_crime"


def test_a_mistake_keeps_every_row_including_rows_added_by_the_script(
    app: Flask, live_server: LiveServer, new_context: NewContext, worker: User
) -> None:
    session_id = make_session(app, worker)
    page = new_context(java_script_enabled=True).new_page()
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}/staff/outreach/sessions/{session_id}/concerns")

    page.locator("#rows-0-text").fill(CONCERNS[0])
    page.get_by_role("button", name="Add another concern").click()
    page.get_by_role("button", name="Add another concern").click()
    page.locator("#rows-6-text").fill("ok")
    page.get_by_role("button", name="Save concerns").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role(
        "link", name="Concern 7: what the person raised must be 3 characters or more"
    )
    link.click()
    expect(page.locator("#rows-6-text")).to_be_focused()
    expect(page.locator("#rows-0-text")).to_have_value(CONCERNS[0])
    expect(page.locator("#rows-6-text")).to_have_value("ok")
    assert stored(app) == []
