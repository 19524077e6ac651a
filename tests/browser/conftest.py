"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, one context a test.

``playwright install`` cannot download here, so Playwright drives /usr/bin/chromium. Without
it the tests skip, saying how to enable them, unless ENGAGE_REQUIRE_BROWSER=1 (CI) turns the
skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.conftest import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
BROWSER_HOW = "Browser tests skipped: install Debian's Chromium (apt-get install chromium)"
# Long enough for a slow CI machine, short enough that a missing element fails quickly.
TIMEOUT_MS = 15_000

NewContext = Callable[..., BrowserContext]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        if os.environ.get("ENGAGE_REQUIRE_BROWSER", "") == "1":
            pytest.fail(f"{CHROMIUM} is missing but ENGAGE_REQUIRE_BROWSER=1")
        pytest.skip(BROWSER_HOW)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    expect.set_options(timeout=TIMEOUT_MS)
    yield chromium
    chromium.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[NewContext]:
    """Open browser contexts (``java_script_enabled``, ``viewport``...), closed after the test."""
    opened: list[BrowserContext] = []

    def open_context(**options: Any) -> BrowserContext:
        context = browser.new_context(locale="en-GB", **options)
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    return new_context().new_page()


@pytest.fixture
def sqlite_live_server(sqlite_app: Flask) -> Iterator[LiveServer]:
    """The service on SQLite only, for what the browser shows rather than what is stored."""
    with LiveServer(sqlite_app) as server:
        yield server
