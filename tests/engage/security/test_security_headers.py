"""Every response of every route carries the security headers, and no page needs CSP
exceptions: the URL map is walked, so a route added later is checked without anyone
remembering to add it here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask, Response
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engage import create_app
from engage.auth.access import public
from engage.security_headers import HSTS
from engage.settings import Production
from tests.conftest import make_test_app
from tests.engage.security.route_world import (
    UnbuildableRoute,
    World,
    role_for,
    rules,
    seed_world,
    url_of,
)
from tests.factories import signed_in
from tests.pages import Page

TEMPLATES = Path(__file__).resolve().parents[3] / "engage" / "templates"
NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-]+)'")
CSP_MUST_HAVE = (
    "default-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
)
SAFE_REFERRER_POLICIES = {"same-origin", "no-referrer", "strict-origin-when-cross-origin"}


@pytest.fixture
def crawl_app(sqlite_url: str, tmp_path: Path) -> Flask:
    return make_test_app(
        sqlite_url, ENGAGE_MODEL_DIR=tmp_path / "models", ENGAGE_OUTBOX_DIR=tmp_path / "outbox"
    )


@pytest.fixture
def world(crawl_app: Flask, tmp_path: Path) -> World:
    return seed_world(crawl_app, tmp_path / "outbox")


def header_problems(response: TestResponse, url: str) -> list[str]:
    """What is missing or unsafe in one response's headers (and, for HTML, its markup)."""
    headers = response.headers
    problems = []
    csp = headers.get("Content-Security-Policy", "")
    problems += [f"CSP lacks {part}" for part in CSP_MUST_HAVE if part not in csp]
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"CSP allows unsafe code: {csp}")
    if not NONCE.search(csp):
        problems.append("CSP has no script nonce")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in SAFE_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy is {headers.get('Referrer-Policy')!r}")
    if headers.get("X-Frame-Options") != "DENY":
        problems.append("no X-Frame-Options: DENY")
    if not url.startswith("/assets/") and headers.get("Cache-Control") != "no-store":
        problems.append(f"Cache-Control is {headers.get('Cache-Control')!r}, not no-store")
    for cookie in headers.getlist("Set-Cookie"):
        name = cookie.split("=", 1)[0]
        if name != "session":
            problems.append(f"unexpected cookie {name}")
        if "HttpOnly" not in cookie or "SameSite=Lax" not in cookie:
            problems.append(f"cookie without HttpOnly and SameSite=Lax: {cookie}")
    if response.mimetype == "text/html":
        problems += markup_problems(response.get_data(as_text=True), NONCE.findall(csp))
    return [f"{response.request.method} {url} ({response.status_code}): {p}" for p in problems]


def markup_problems(html: str, nonces: list[str]) -> list[str]:
    """What this page's CSP would block: inline styles, handlers, scripts without the nonce."""
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    for node in soup.find_all(True):
        inline = [a for a in node.attrs if a == "style" or a.startswith("on")]
        if inline:
            problems.append(f"<{node.name}> has {', '.join(inline)} (blocked by the CSP)")
    for script in soup.find_all("script"):
        if script.get("nonce") not in nonces:
            problems.append(f"<script src={script.get('src')!r}> lacks this response's nonce")
    if soup.find("style") is not None:
        problems.append("a <style> element (blocked by the CSP)")
    return problems


def _client(app: Flask, world: World, role: str | None) -> FlaskClient:
    client = app.test_client()
    return signed_in(client, world.users[role]) if role else client


def _send(client: FlaskClient, method: str, url: str) -> TestResponse:
    if method == "GET":
        return client.get(url)
    token = Page.of(client.get("/").data).csrf_token()
    return client.post(url, data={"csrf_token": token})


def crawl(app: Flask, world: World) -> tuple[list[str], list[str], int]:
    """Request every rule as a stranger and as its strongest role: (problems, rules that
    could not be built, requests made)."""
    problems: list[str] = []
    unbuildable: list[str] = []
    requests = 0
    # Every GET first: a POST (sign out, deactivate...) may change what later pages show.
    for method in ("GET", "POST"):
        for rule in rules(app):
            if method not in (rule.methods or set()):
                continue
            try:
                url = url_of(rule, world.values)
            except UnbuildableRoute as error:
                unbuildable.append(str(error))
                continue
            for role in {None, role_for(app, rule)}:
                response = _send(_client(app, world, role), method, url)
                problems += header_problems(response, url)
                response.close()
                requests += 1
    return problems, unbuildable, requests


def test_every_response_of_every_route_has_the_security_headers(
    crawl_app: Flask, world: World
) -> None:
    problems, unbuildable, requests = crawl(crawl_app, world)

    assert unbuildable == []
    assert problems == []
    assert requests > len(list(rules(crawl_app)))


def test_the_crawl_notices_a_new_route_it_cannot_reach_or_that_breaks_the_rules(
    crawl_app: Flask, tmp_path: Path
) -> None:
    @public
    def styled() -> Response:
        return Response('<p style="color: red">Hello</p>', mimetype="text/html")

    crawl_app.add_url_rule("/styled", view_func=styled)
    crawl_app.add_url_rule("/widgets/<int:widget_id>", "widget", view_func=public(styled))
    crawl_app.wsgi_app = _without_headers(  # type: ignore[method-assign]
        crawl_app.wsgi_app, "/styled", {"X-Content-Type-Options", "Cache-Control"}
    )
    world = seed_world(crawl_app, tmp_path / "outbox")

    problems, unbuildable, _ = crawl(crawl_app, world)

    assert unbuildable == [
        "/widgets/<int:widget_id> (widget) needs widget_id: seed a row in "
        "tests/engage/security/route_world.py and add its value to World.values"
    ]
    assert "GET /styled (200): <p> has style (blocked by the CSP)" in problems
    assert "GET /styled (200): Cache-Control is None, not no-store" in problems
    assert "GET /styled (200): no X-Content-Type-Options: nosniff" in problems


def _without_headers(wsgi_app: Any, path: str, names: set[str]) -> Any:
    """A proxy that loses some headers of one path, as a misconfigured one would."""

    def proxied(environ: dict[str, Any], start_response: Any) -> Any:
        def start(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            if environ["PATH_INFO"] == path:
                headers = [(k, v) for k, v in headers if k not in names]
            return start_response(status, headers, *rest)

        return wsgi_app(environ, start)

    return proxied


def test_each_response_gets_its_own_nonce(crawl_app: Flask) -> None:
    client = crawl_app.test_client()
    first, second = (client.get("/") for _ in range(2))
    nonces = [NONCE.findall(r.headers["Content-Security-Policy"]) for r in (first, second)]
    assert nonces[0] != nonces[1]
    assert f'nonce="{nonces[0][0]}"' in first.get_data(as_text=True)


def test_an_error_page_has_the_headers_too(crawl_app: Flask) -> None:
    response = crawl_app.test_client().get("/no-such-page")
    assert response.status_code == 404
    assert header_problems(response, "/no-such-page") == []


# Documents WeasyPrint turns into PDFs (or downloaded as files), never shown as pages under
# the site's CSP: they carry their own print styles.
PRINT_DOCUMENTS = {"reports/digest.html", "panels/pack_print.html"}


def test_no_template_has_markup_the_csp_would_block() -> None:
    offending = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if str(path.relative_to(TEMPLATES)) in PRINT_DOCUMENTS:
            continue
        source = path.read_text()
        for pattern in (r"\sstyle=", r"\son[a-z]+=", r"<style", r"<script(?![^>]*nonce=)"):
            if re.search(pattern, source):
                offending.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert offending == []


def test_production_sends_hsts_and_only_secure_cookies(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENGAGE_SECRET_KEY", "a-production-secret-of-at-least-32-characters")
    monkeypatch.setenv("ENGAGE_DATABASE_URL", sqlite_url)
    app = create_app(Production)
    try:
        response = app.test_client().get("/", base_url="https://engage.example.org")
    finally:
        from tests.conftest import _release

        _release(app)

    assert response.headers["Strict-Transport-Security"] == HSTS
    (cookie,) = response.headers.getlist("Set-Cookie")
    assert cookie.startswith("session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in cookie


def test_outside_production_there_is_no_hsts(crawl_app: Flask) -> None:
    response = crawl_app.test_client().get("/")
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]
