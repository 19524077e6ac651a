"""Clients that submit concerns without pause, as residents and partner kiosks would, and
resend a concern until it is acknowledged, exactly as a careful client does: the API with
the same Idempotency-Key and body, the web form with the same page (its submission id,
CSRF token and cookie). Every acknowledged reference is recorded with its key.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from tests.pages import Page
from tests.robustness.processes import Answer, exchange, random_source

TEXTS = [
    "Cars racing along the High Street every night",
    "People selling drugs by the bus station in the evenings",
    "Bikes stolen from outside the leisure centre",
    "Fly-tipping behind the garages on Elm Road",
    "Groups shouting outside the shops late at night",
    "Speeding past the primary school at home time",
]
DISTRICTS = ["fenland", "peterborough", "cambridge_city", "huntingdonshire", "east_cambridgeshire"]
_REFERENCE = re.compile(r"PP-[2-9A-Z]{4}-[2-9A-Z]{4}")
# A client waits a little longer after each failure in a row, as a polite client does.
FIRST_PAUSE = 0.05
LONGEST_PAUSE = 0.5


class Unexpected(AssertionError):
    """The service gave an answer no fault should cause (a 4xx for a valid concern)."""


@dataclass
class Ledger:
    """What the clients know: acknowledged references by key, and what went wrong."""

    acknowledged: dict[str, str] = field(default_factory=dict)
    # Keys whose resends were answered with a different reference than before.
    conflicting: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    resends: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledge(self, key: str, reference: str) -> None:
        with self.lock:
            earlier = self.acknowledged.setdefault(key, reference)
            if earlier != reference:
                self.conflicting.append(key)

    def count(self, *, failure: str | None = None) -> None:
        with self.lock:
            self.requests += 1
            if failure is not None:
                self.failures[failure] += 1

    def acknowledged_count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


class Resident(threading.Thread):
    """Submits concern after concern until ``stop`` is set; a concern under way is resent
    until acknowledged, or until ``give_up`` is set (then it is recorded as given up)."""

    def __init__(
        self,
        base_url: str,
        ledger: Ledger,
        stop: threading.Event,
        give_up: threading.Event,
        seed: int,
    ) -> None:
        super().__init__(daemon=True)
        self.base_url = base_url
        self.ledger = ledger
        self.stop = stop
        self.give_up = give_up
        self.rng = random.Random(seed)
        self.pause = FIRST_PAUSE

    def run(self) -> None:
        while not self.stop.is_set():
            self.submit_one()

    def submit_one(self) -> None:
        raise NotImplementedError

    def attempt(self, method: str, path: str, **kwargs: object) -> Answer | None:
        """One request; None when the connection failed or the server could not answer."""
        try:
            answer = exchange(self.base_url, method, path, timeout=10, **kwargs)  # type: ignore[arg-type]
        except (OSError, http.client.HTTPException) as error:
            self.failed(type(error).__name__)
            return None
        if answer.status >= 500 or answer.status == 429:
            self.failed(f"HTTP {answer.status}")
            return None
        self.ledger.count()
        self.pause = FIRST_PAUSE
        return answer

    def failed(self, failure: str) -> None:
        self.ledger.count(failure=failure)
        time.sleep(self.pause)
        self.pause = min(self.pause * 2, LONGEST_PAUSE)


class ApiResident(Resident):
    def submit_one(self) -> None:
        key = uuid.uuid4().hex
        body = json.dumps(
            {"text": self.rng.choice(TEXTS), "district": self.rng.choice(DISTRICTS)}
        ).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        sends = 0
        while not self.give_up.is_set():
            sends += 1
            answer = self.attempt(
                "POST",
                "/api/v1/concerns",
                body=body,
                headers=headers,
                source=random_source(self.rng),
            )
            if answer is None:
                continue
            if answer.status not in (200, 201):
                self.ledger.unexpected.append(f"API {answer.status}: {answer.body[:300]!r}")
                return
            self.ledger.acknowledge(f"api:{key}", json.loads(answer.body)["reference"])
            self.ledger.resends += sends - 1
            return
        self.ledger.given_up.append(f"api:{key}")


def _cookie(answer: Answer, current: str) -> str:
    for header in answer.cookies:
        pair = header.split(";", 1)[0]
        if pair.startswith("session="):
            return pair
    return current


class WebResident(Resident):
    """The resident's form: fetch the page, send it (resending the very same page after a
    failure), then read the reference on the confirmation page."""

    def submit_one(self) -> None:
        source = random_source(self.rng)
        page = None
        while page is None and not self.give_up.is_set():
            page = self.attempt("GET", "/", source=source)
        if page is None:
            return
        if page.status != 200:
            self.ledger.unexpected.append(f"GET / {page.status}")
            return
        cookie = _cookie(page, "")
        hidden = Page.of(page.body).hidden_fields()
        form = {
            **hidden,
            "concern": self.rng.choice(TEXTS),
            "district": self.rng.choice(DISTRICTS),
            "place": "",
            "action": "send",
        }
        key = f"web:{hidden['submission_id']}:"
        sent = None
        sends = 0
        while sent is None and not self.give_up.is_set():
            sends += 1
            sent = self.attempt(
                "POST",
                "/",
                body=urlencode(form).encode(),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": cookie,
                },
                source=source,
            )
        if sent is None:
            self.ledger.given_up.append(key)
            return
        if sent.status != 303:
            self.ledger.unexpected.append(f"POST / {sent.status}: {sent.body[:300]!r}")
            return
        cookie = _cookie(sent, cookie)
        shown = None
        while shown is None and not self.give_up.is_set():
            shown = self.attempt("GET", "/confirmation", headers={"Cookie": cookie}, source=source)
        if shown is None:
            self.ledger.given_up.append(key)
            return
        shown_reference = Page.of(shown.body).soup.select_one(".engage-reference")
        found = (
            _REFERENCE.fullmatch(shown_reference.get_text(strip=True)) if shown_reference else None
        )
        if shown.status != 200 or found is None:
            self.ledger.unexpected.append(f"GET /confirmation {shown.status} without a reference")
            return
        self.ledger.acknowledge(key, found.group(0))
        self.ledger.resends += sends - 1
