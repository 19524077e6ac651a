"""axe-core finds no serious or critical problem on any page, public or staff.

The URL map is walked, so a page added later is checked too: every GET route that answers
with HTML is opened in Chromium as the strongest role allowed to see it (admins with
two-factor set up), with the rows of ``tests/engage/security/route_world.py`` filling its
URL, and axe-core runs on it. Pages reached only by sending a form are added by hand below.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page

from tests.browser.conftest import NewContext
from tests.conftest import LiveServer, make_test_app
from tests.engage.security.route_world import World, role_for, rules, seed_world, url_of
from tests.factories import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


@pytest.fixture
def crawl_app(sqlite_url: str, tmp_path: Path) -> Flask:
    return make_test_app(
        sqlite_url, ENGAGE_MODEL_DIR=tmp_path / "models", ENGAGE_OUTBOX_DIR=tmp_path / "outbox"
    )


@pytest.fixture
def world(crawl_app: Flask, tmp_path: Path) -> World:
    return seed_world(crawl_app, tmp_path / "outbox")


@pytest.fixture
def server(crawl_app: Flask, world: World) -> Iterator[LiveServer]:
    with LiveServer(crawl_app) as live:
        yield live


def html_pages(app: Flask, world: World) -> list[tuple[str, str | None]]:
    """(URL, role) of every GET route that answers a browser with an HTML page."""
    pages = []
    for rule in rules(app):
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        url = url_of(rule, world.values)
        role = role_for(app, rule)
        client = app.test_client()
        if role:
            signed_in(client, world.users[role])
        response = client.get(url, follow_redirects=True)
        if response.mimetype == "text/html":
            pages.append((url, role))
        response.close()
    return pages


def _context(
    new_context: NewContext, app: Flask, world: World, server: LiveServer, role: str | None
) -> BrowserContext:
    # axe is injected as a script, which the pages' CSP (rightly) refuses.
    context = new_context(bypass_csp=True)
    if role:
        client = signed_in(app.test_client(), world.users[role])
        cookie = client.get_cookie("session")
        assert cookie is not None
        context.add_cookies([{"name": "session", "value": cookie.value, "url": server.url}])
    return context


def serious_problems(page: Page) -> list[str]:
    page.add_script_tag(path=AXE)
    results: dict[str, Any] = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        f"{page.url}: {v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


def test_axe_finds_no_serious_problem_on_any_page(
    crawl_app: Flask, world: World, server: LiveServer, new_context: NewContext
) -> None:
    pages = html_pages(crawl_app, world)
    contexts: dict[str | None, BrowserContext] = {}
    problems: list[str] = []
    seen: set[str] = set()
    for url, role in pages:
        if role not in contexts:
            contexts[role] = _context(new_context, crawl_app, world, server, role)
        page = contexts[role].new_page()
        page.goto(f"{server.url}{url}")
        if page.url not in seen:
            seen.add(page.url)
            problems += serious_problems(page)
        page.close()

    assert problems == [], "\n".join(problems)
    # Every staff area and the public pages were reached, not only sign-in redirects.
    assert len(seen) >= len(pages) * 3 // 4, sorted(seen)


def test_axe_finds_no_serious_problem_on_pages_reached_by_a_form(
    crawl_app: Flask, world: World, server: LiveServer, new_context: NewContext
) -> None:
    page = _context(new_context, crawl_app, world, server, "admin").new_page()
    problems = []

    page.goto(f"{server.url}/staff/data-protection")
    page.get_by_role("button", name="Find records").click()  # nothing typed: errors
    problems += serious_problems(page)
    page.get_by_label("Email address").fill("resident@example.org")
    page.get_by_role("button", name="Find records").click()
    page.get_by_role("heading", name="Records for resident@example.org").wait_for()
    problems += serious_problems(page)
    page.get_by_role("button", name="Erase personal data").click()  # word not typed
    page.get_by_role("heading", name="There is a problem").wait_for()
    problems += serious_problems(page)
    page.goto(f"{server.url}/no-such-page")
    problems += serious_problems(page)

    assert problems == [], "\n".join(problems)


def test_the_check_reports_what_axe_finds(new_context: NewContext) -> None:
    page = new_context().new_page()
    page.set_content(
        '<html lang="en"><head><title>Chart</title></head>'
        '<body><main><h1>Chart</h1><img src="/chart.png"></main></body></html>'
    )
    assert [p.split(" (")[0] for p in serious_problems(page)] == [
        "about:blank: critical: image-alt"
    ]
