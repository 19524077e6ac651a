"""Stored cross-site scripting: script, event-handler, SVG, javascript: URL, attribute-breaking
and template-injection payloads are planted in every free-text field a resident or a member
of staff fills in, then every page that shows them is opened in Chromium.

A page passes when nothing ran (no dialog, no flag set by a payload, no script blocked by the
Content Security Policy, which would mean markup got through and only the policy stopped it),
no element a payload carries exists in the page, and the payload is shown as the text it is.
CSV exports must neutralise every cell a spreadsheet would run as a formula, and the panel
pack's PDF must show the payloads as text too.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import Dialog, Page
from sqlalchemy.orm import Session

from engage.extensions import db
from engage.models import User
from engage.spreadsheet_safety import FORMULA_STARTS
from tests.browser.conftest import NewContext
from tests.conftest import LiveServer, make_test_app
from tests.engage.outreach.conftest import make_session
from tests.factories import STAFF_PASSWORD, signed_in, staff_user
from tests.pages import Page as PageOf
from tests.panel_records import add_concerns, resident_concern
from tests.robustness.crawl import crawl

# Every option ticked: original text and contact details are where residents' words are.
EXPORT_CHOICES = {"include_original": "y", "include_contact": "y"}

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Each payload sets window.__xss or carries a data-xss attribute if it ever becomes markup.
SCRIPT = "<script>window.__xss='script'</script>"
IMG = "<img src=x data-xss onerror=\"window.__xss='img'\">"
SVG = "<svg data-xss onload=\"window.__xss='svg'\"></svg>"
JS_URL = "javascript:window.__xss='url'"
BREAK_DOUBLE = "\"><img src=x data-xss onerror=window.__xss='attr2'>"
BREAK_SINGLE = "'><svg data-xss onload=window.__xss='attr1'>"
TEMPLATE = "{{7*7}} {{config}} ${7*7} {% print 7*7 %}"
PAYLOADS = [SCRIPT, IMG, SVG, JS_URL, BREAK_DOUBLE, BREAK_SINGLE, TEMPLATE]
# Cells a spreadsheet would run as formulas.
FORMULAS = ['=HYPERLINK("http://x.test","y")', "+1+1", "-2+3", "@SUM(1)", "\tTAB", "\rCR"]

WATCH = """
window.__dialogs = 0;
window.__blocked = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__blocked.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def long_payload(label: str) -> str:
    return f"{label}: " + " ".join(PAYLOADS)


@dataclass(frozen=True)
class Planted:
    reference: str
    session_id: int
    panel_slug: str
    admin: User
    analyst: User
    outreach: User
    manager: User

    @property
    def users(self) -> list[User]:
        return [self.admin, self.analyst, self.outreach, self.manager]


def plant(app: Flask) -> Planted:
    """Payloads in every free-text field: the resident's (through the API, as anyone can),
    and staff's (stored as the staff forms would store them)."""
    client = app.test_client()
    answer = client.post(
        "/api/v1/concerns",
        json={
            "text": long_payload("Concern"),
            "district": "fenland",
            "place": f"Wisbech {SCRIPT} {BREAK_DOUBLE}",
            "impact": long_payload("Impact"),
            "contact_name": f"{IMG} {BREAK_SINGLE}"[:200],
            "contact_email": "resident@example.org",
            "consent_to_contact": True,
        },
    )
    assert answer.status_code == 201, answer.json
    assert answer.json is not None
    reference = answer.json["reference"]
    formula_answer = client.post(
        "/api/v1/concerns",
        json={"text": FORMULAS[0] + " on the High Street", "district": "fenland", "place": "+1"},
    )
    assert formula_answer.status_code == 201, formula_answer.json
    with app.app_context():
        session = db.session()
        # Panels first: their writes roll back the session, which would expire the people.
        panel_slug = _plant_panel(session)
        admin = staff_user(session, "admin", name=f"Admin {SVG}")
        analyst = staff_user(session, "analyst", name=f"Analyst {BREAK_DOUBLE}")
        outreach = staff_user(session, "outreach", name=f"Outreach {SCRIPT}")
        manager = staff_user(session, "commissioner_office", name=f"Manager {TEMPLATE}")
        db.session.remove()
    session_id = make_session(
        app,
        outreach,
        venue=f"Market Place {IMG}"[:200],
        notes=long_payload("Notes"),
        created_at=datetime.now(UTC),
    )
    _plant_through_triage_forms(app, analyst, reference)
    return Planted(reference, session_id, panel_slug, admin, analyst, outreach, manager)


def _plant_through_triage_forms(app: Flask, analyst: User, reference: str) -> None:
    """What an analyst types on a concern: extra phrases to redact, a note on handling it."""
    client = signed_in(app.test_client(), analyst)
    concern_page = f"/staff/concerns/{reference}"
    typed = {
        "redaction": ("phrases", "\n".join(PAYLOADS)),  # one phrase a line
        "handled": ("outcome_note", long_payload("Outcome")),
    }
    for action, (field, value) in typed.items():
        token = PageOf.of(client.get(concern_page).data).csrf_token()
        answer = client.post(f"{concern_page}/{action}", data={"csrf_token": token, field: value})
        assert answer.status_code in (302, 303), f"{action}: {answer.status_code}"


def _plant_panel(session: Session) -> str:
    from tests.panel_records import add_action, add_meeting, add_panel, add_priority

    panel = add_panel(session, name=f"Wisbech panel {SVG}"[:200])
    meeting = add_meeting(session, panel, notes=long_payload("Meeting notes"))
    priority = add_priority(
        session,
        meeting,
        wording=long_payload("Priority")[:500],
        owner=f"Team {BREAK_SINGLE}"[:200],
    )
    add_action(session, priority, description=long_payload("Action"))
    return panel.slug


@pytest.fixture
def xss_app(sqlite_url: str) -> Flask:
    return make_test_app(sqlite_url, RATELIMIT_ENABLED=False)


def open_and_check(page: Page, url: str, dialogs: list[str]) -> str:
    """Open a page and say what ran; returns the page's visible text."""
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url} answered {response.status}"
    page.wait_for_load_state("load")
    assert page.evaluate("window.__xss === undefined"), f"a payload ran on {url}"
    assert page.locator("[data-xss]").count() == 0, f"a payload became markup on {url}"
    assert page.evaluate("window.__blocked") == [], f"markup got through on {url}"
    assert dialogs == [], f"a dialog opened on {url}"
    return page.inner_text("body")


def watched_page(new_context: NewContext) -> tuple[Page, list[str]]:
    """A page whose every document runs WATCH first, and the dialogs it opened."""
    context = new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return page, dialogs


def sign_in(page: Page, server: LiveServer, user: User) -> None:
    page.goto(f"{server.url}/staff/sign-in")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    if user.totp_secret:
        page.locator("#code").fill(pyotp.TOTP(user.totp_secret).now())
        page.get_by_role("button", name=re.compile("Continue|Sign in")).click()
        page.wait_for_load_state("load")
    assert "/staff/sign-in" not in page.url, f"{user.role} could not sign in"


def pages_showing_payloads(app: Flask, planted: Planted) -> dict[str, list[str]]:
    """For each person, the staff pages (found by crawling) that show a planted payload."""
    seeds = [
        f"/staff/concerns/{planted.reference}",
        f"/staff/concerns/{planted.reference}/contact-details",
        f"/staff/outreach/sessions/{planted.session_id}",
        f"/staff/panels/{planted.panel_slug}",
        f"/staff/panels/{planted.panel_slug}/pack",
    ]
    showing: dict[str, list[str]] = {}
    for user in planted.users:
        showing[user.role] = [
            path for path, html in crawl(app, user, seeds) if b"window.__xss" in html
        ]
    return showing


def test_no_planted_payload_runs_or_becomes_markup_on_any_page(
    xss_app: Flask, new_context: NewContext
) -> None:
    planted = plant(xss_app)
    showing = pages_showing_payloads(xss_app, planted)
    every_page = {path for paths in showing.values() for path in paths}
    assert {
        f"/staff/concerns/{planted.reference}",
        f"/staff/concerns/{planted.reference}/contact-details",
        f"/staff/outreach/sessions/{planted.session_id}",
        f"/staff/panels/{planted.panel_slug}",
        "/staff/users",
    } <= every_page, "the crawl no longer reaches the pages that show free text"
    public = ["/priorities", f"/priorities/{planted.panel_slug}"]

    with LiveServer(xss_app) as server:
        page, dialogs = watched_page(new_context)
        shown = [open_and_check(page, server.url + path, dialogs) for path in public]
        assert any(BREAK_SINGLE in text or SCRIPT in text for text in shown)
        for user in planted.users:
            page, dialogs = watched_page(new_context)
            sign_in(page, server, user)
            for path in showing[user.role]:
                text = open_and_check(page, server.url + path, dialogs)
                assert any(payload in text for payload in PAYLOADS), (
                    f"{path} as {user.role} shows no payload as text"
                )
        page, dialogs = watched_page(new_context)
        sign_in(page, server, planted.analyst)
        text = open_and_check(page, f"{server.url}/staff/concerns/{planted.reference}", dialogs)
        for payload in PAYLOADS:
            assert payload in text, f"{payload!r} is not shown literally on the concern page"
        assert "49" not in text.replace(planted.reference, "")


def csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def test_every_csv_export_neutralises_formula_cells(xss_app: Flask) -> None:
    planted = plant(xss_app)
    with xss_app.app_context():
        session = db.session()
        for formula in FORMULAS:
            add_concerns(session, resident_concern(text=formula, place=formula, name=formula))
        db.session.remove()
    analyst = signed_in(xss_app.test_client(), planted.analyst)
    page = PageOf.of(analyst.get("/staff/concerns/export").data)
    exports = {
        "triage export": analyst.post(
            "/staff/concerns/export",
            data={"csrf_token": page.csrf_token(), **EXPORT_CHOICES},
        ),
        "priorities CSV": xss_app.test_client().get(
            f"/api/v1/neighbourhoods/{planted.panel_slug}/priorities.csv"
        ),
    }
    for name, response in exports.items():
        assert response.status_code == 200, f"{name}: {response.status_code}"
        cells = csv_cells(response.data)
        assert cells, f"{name} is empty"
        dangerous = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
        assert dangerous == [], f"{name} has cells a spreadsheet would run"
    triage_cells = csv_cells(exports["triage export"].data)
    for formula in FORMULAS:
        assert "'" + formula in triage_cells, f"{formula!r} is missing or changed"


def test_the_panel_pack_pdf_shows_payloads_as_text(xss_app: Flask) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    planted = plant(xss_app)
    manager = signed_in(xss_app.test_client(), planted.manager)
    response = manager.get(f"/staff/panels/{planted.panel_slug}/pack.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "window.__xss='script'" in flat
    assert "<script>" in flat
