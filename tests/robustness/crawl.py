"""Walking the staff pages as one person would, following links from the staff home."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound

from engage.models import User
from tests.factories import signed_in

PAGES_PER_ROLE = 40
PAGES_PER_KIND = 2
# Never followed: signing out ends the crawl's own session; files are not pages.
SKIP_PATHS = ("/staff/sign-out",)
SKIP_SUFFIXES = (".pdf", ".csv", ".xlsx")


def crawl(app: Flask, user: User, seeds: list[str]) -> list[tuple[str, bytes]]:
    """The HTML pages this person can reach from the staff home and ``seeds`` (two pages of
    a kind are enough: the fiftieth concern page has what the first one had)."""
    client = signed_in(app.test_client(), user)
    queue, seen, pages = ["/staff", *seeds], set[str](), list[tuple[str, bytes]]()
    kinds: Counter[str | None] = Counter()
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if path in seen or path.startswith(SKIP_PATHS) or path.endswith(SKIP_SUFFIXES):
            continue
        kind = endpoint_of(app, "GET", path)
        if kinds[kind] >= PAGES_PER_KIND:
            continue
        kinds[kind] += 1
        seen.add(path)
        response = client.get(path)
        assert response.status_code < 500, f"{path} as {user.role}: {response.status_code}"
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages.append((path, response.data))
        queue += [link for link in page_links(response.data) if link.startswith("/staff")]
    return pages


def page_links(html: bytes) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [
        urlsplit(str(a["href"])).path
        for a in soup.find_all("a", href=True)
        if urlsplit(str(a["href"])).netloc == ""
    ]


def endpoint_of(app: Flask, method: str, path: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(path, method=method)
    except (NotFound, MethodNotAllowed):
        return None
    return str(endpoint)
