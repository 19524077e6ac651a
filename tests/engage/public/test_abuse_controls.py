"""Abuse controls without a CAPTCHA: a honeypot, a timing check and per-client limits.

A submission that trips the honeypot or the timing check is kept as ``quarantined`` and the
sender sees the usual confirmation; staff find it, with the reason, in the triage queue.
Too many submissions from one address are refused with 429 and nothing typed is lost.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select
from werkzeug.test import TestResponse

from engage.classification import loader
from engage.extensions import db, limiter, limiter_storage_options
from engage.models import AuditEvent
from engage.services.screening import HONEYPOT_FILLED, TIMESTAMP_ALTERED, TIMESTAMP_MISSING
from engage.settings import ConfigurationError, Settings, Test
from engage.submission_limit import SubmissionLimitReached, count_submission
from tests.conftest import make_test_app
from tests.factories import form_answers, signed_in, staff_user
from tests.pages import Page
from tests.stored import stored_concerns as stored

SHOWN = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
API = "/api/v1/concerns"


@pytest.fixture
def careful(app: Flask) -> Flask:
    """The app with the timing check as in production (tests otherwise post instantly)."""
    app.config["ENGAGE_MIN_FILL_SECONDS"] = 3.0
    # The redactor imports spaCy on first use, and that import fails under a frozen clock.
    with app.app_context():
        loader().redactor()
    return app


def open_form(client: FlaskClient) -> dict[str, str]:
    return Page.of(client.get("/").data).hidden_fields()


def post_form(client: FlaskClient, hidden: dict[str, str], **answers: Any) -> TestResponse:
    carried = {k: v for k, v in hidden.items() if k in ("csrf_token", "form_token")}
    return client.post("/", data={**carried, **form_answers(**answers)})


def held_reasons(app: Flask) -> list[str]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "concern"))
        return [
            r
            for e in events
            if e.detail.get("change") == "quarantined"
            for r in e.detail["reasons"]
        ]


# ---------------------------------------------------------------------------- the honeypot


def test_the_honeypot_is_hidden_from_people_and_from_assistive_technology(
    sqlite_client: FlaskClient,
) -> None:
    page = Page.of(sqlite_client.get("/").data)
    field = page.soup.select_one("input[name=website]")

    assert field is not None
    container = field.find_parent("div")
    assert container["aria-hidden"] == "true"
    assert "govuk-visually-hidden" in container["class"]
    assert field["tabindex"] == "-1"
    assert field["autocomplete"] == "off"
    assert page.soup.select_one("label[for=website]").get_text() == "Leave this field empty"


def test_a_filled_in_honeypot_is_kept_as_quarantined_and_the_sender_sees_the_usual_answer(
    app: Flask, client: FlaskClient
) -> None:
    response = post_form(client, open_form(client), website="http://cheap-pills.example")

    assert response.status_code == 303
    assert response.headers["Location"] == "/confirmation"
    assert Page.of(client.get("/confirmation").data).heading.startswith("Thank you")
    (concern,) = stored(app)
    assert concern.status == "quarantined"
    assert held_reasons(app) == [HONEYPOT_FILLED]


def test_an_empty_honeypot_changes_nothing(app: Flask, client: FlaskClient) -> None:
    post_form(client, open_form(client), website="")
    (concern,) = stored(app)
    assert concern.status == "new"
    assert held_reasons(app) == []


# ---------------------------------------------------------------------------- the timing check


def test_a_form_sent_back_within_a_second_is_quarantined(careful: Flask) -> None:
    client = careful.test_client()
    with freeze_time(SHOWN) as clock:
        hidden = open_form(client)
        clock.tick(timedelta(seconds=1))
        response = post_form(client, hidden)

    assert response.status_code == 303
    (concern,) = stored(careful)
    assert concern.status == "quarantined"
    (reason,) = held_reasons(careful)
    assert reason.startswith("Sent 1.0 seconds after the form was shown")


@pytest.mark.parametrize(
    "delay",
    [timedelta(seconds=4), timedelta(hours=6), timedelta(days=3)],
    ids=["a fast typist", "back after hours", "back after days"],
)
def test_people_who_type_fast_or_come_back_much_later_are_not_held(
    careful: Flask, delay: timedelta
) -> None:
    client = careful.test_client()
    with freeze_time(SHOWN) as clock:
        hidden = open_form(client)
        clock.tick(delay)
        response = post_form(client, hidden)
        # Hours later the CSRF token has expired: the form comes back with every answer
        # kept, and sending it again at once must not look like a robot either.
        if response.status_code == 400:
            again = Page.of(response.data).hidden_fields()
            assert again["form_token"] == hidden["form_token"]
            response = post_form(client, again)

    assert response.status_code == 303
    (concern,) = stored(careful)
    assert concern.status == "new"


def test_correcting_a_mistake_and_sending_at_once_is_not_held(careful: Flask) -> None:
    client = careful.test_client()
    with freeze_time(SHOWN) as clock:
        hidden = open_form(client)
        clock.tick(timedelta(seconds=20))
        mistake = post_form(client, hidden, concern="")
        assert mistake.status_code == 400
        corrected = Page.of(mistake.data).hidden_fields()
        clock.tick(timedelta(seconds=1))
        response = post_form(client, corrected)

    assert response.status_code == 303
    (concern,) = stored(careful)
    assert concern.status == "new"


@pytest.mark.parametrize(
    ("token", "reason"),
    [(None, TIMESTAMP_MISSING), ("1763460000000.forged-signature", TIMESTAMP_ALTERED)],
    ids=["missing", "forged"],
)
def test_a_form_without_a_genuine_timestamp_is_quarantined(
    careful: Flask, token: str | None, reason: str
) -> None:
    client = careful.test_client()
    hidden = open_form(client)
    hidden.pop("form_token")
    if token:
        hidden["form_token"] = token
    response = post_form(client, hidden)

    assert response.status_code == 303
    (concern,) = stored(careful)
    assert concern.status == "quarantined"
    assert held_reasons(careful) == [reason]


# ---------------------------------------------------------------------------- the API


def send_api(client: FlaskClient, **fields: Any) -> TestResponse:
    body = {"text": "Cars racing along the High Street", "district": "fenland", **fields}
    return client.post(
        API,
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
    )


def test_the_api_quarantines_a_filled_honeypot_and_answers_as_usual(
    app: Flask, client: FlaskClient
) -> None:
    response = send_api(client, website="http://cheap-pills.example")

    assert response.status_code == 201
    assert set(response.get_json()) >= {"reference", "submitted_at"}
    (concern,) = stored(app)
    assert concern.status == "quarantined"
    assert held_reasons(app) == [HONEYPOT_FILLED]


def test_the_api_times_a_form_shown_by_the_client_and_needs_no_token_otherwise(
    careful: Flask,
) -> None:
    client = careful.test_client()
    with freeze_time(SHOWN) as clock:
        token = client.get("/api/v1/form-token").get_json()
        assert token["min_seconds"] == 3.0
        clock.tick(timedelta(seconds=0.5))
        rushed = send_api(client, form_token=token["form_token"])
        clock.tick(timedelta(seconds=30))
        patient = send_api(client, form_token=token["form_token"])
        tokenless = send_api(client)

    assert (rushed.status_code, patient.status_code, tokenless.status_code) == (201, 201, 201)
    statuses = {c.reference: c.status for c in stored(careful)}
    assert statuses == {
        rushed.get_json()["reference"]: "quarantined",
        patient.get_json()["reference"]: "new",
        tokenless.get_json()["reference"]: "new",
    }


# ---------------------------------------------------------------------------- staff see them


def test_staff_find_held_concerns_with_the_reason_and_urgent_ones_also_under_urgent(
    app: Flask, client: FlaskClient
) -> None:
    post_form(
        client,
        open_form(client),
        website="spam",
        concern="Someone threatened to stab me",
        urgent_advice_seen="yes",
    )
    post_form(client, open_form(client), concern="Speeding on the A47 at night")
    held, kept = sorted(stored(app), key=lambda c: c.status != "quarantined")
    assert (held.status, held.urgency, kept.status) == ("quarantined", "urgent", "new")
    with app.app_context():
        analyst = staff_user(db.session, "analyst")
    staff = signed_in(app.test_client(), analyst)

    queue = Page.of(staff.get("/staff/triage/quarantined").data)
    rows = queue.soup.select(".engage-concern-table tbody tr")
    assert [r.select_one("a").get_text(strip=True) for r in rows] == [held.reference]
    assert HONEYPOT_FILLED in rows[0].get_text()
    counts = {
        a.get_text(" ", strip=True).rsplit(" ", 1)[0]: a.select_one(".engage-count").get_text()
        for a in queue.soup.select(".govuk-tabs__tab")
    }
    assert counts["Held as likely spam"] == "(1)"
    # A real disclosure caught by the spam checks by mistake must not wait in the spam tab.
    assert counts["Urgent or safeguarding"] == "(1)"
    assert held.reference in staff.get("/staff/triage").get_data(as_text=True)

    search = Page.of(staff.get("/staff/concerns?status=quarantined").data)
    found = search.soup.select(".engage-concern-table tbody tr")
    assert [r.select_one("a").get_text(strip=True) for r in found] == [held.reference]
    assert HONEYPOT_FILLED in found[0].get_text()


# ---------------------------------------------------------------------------- rate limits


@pytest.fixture
def strict(app: Flask) -> Flask:
    app.config["ENGAGE_SUBMIT_RATE_LIMIT"] = "2 per minute"
    return app


def test_too_many_forms_from_one_address_are_refused_with_every_answer_kept(
    strict: Flask,
) -> None:
    client = strict.test_client()
    for n in range(2):
        sent = post_form(client, open_form(client), concern=f"Speeding, report number {n}")
        assert sent.status_code == 303
    response = post_form(client, open_form(client), concern="Vans parked on the pavement")

    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    page = Page.of(response.data)
    assert page.heading == "Tell us your policing priority"
    assert "We have kept your answers: wait 1 minute, then send them again." in page.text()
    assert page.value("concern") == "Vans parked on the pavement"
    assert page.hidden_fields()["csrf_token"]
    assert len(stored(strict)) == 2


def test_too_many_api_calls_get_a_problem_document_with_retry_after(strict: Flask) -> None:
    client = strict.test_client()
    assert [send_api(client).status_code for _ in range(2)] == [201, 201]
    response = send_api(client)

    assert response.status_code == 429
    assert response.content_type == "application/problem+json"
    assert response.get_json()["status"] == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert len(stored(strict)) == 2


def test_the_form_and_the_api_are_limited_apart(strict: Flask) -> None:
    client = strict.test_client()
    for n in range(2):
        post_form(client, open_form(client), concern=f"Speeding, report number {n}")
    assert send_api(client).status_code == 201


def test_every_limit_in_the_setting_counts_and_the_one_spent_sets_retry_after(
    app: Flask,
) -> None:
    app.config["ENGAGE_SUBMIT_RATE_LIMIT"] = "5 per minute;2 per hour"
    client = app.test_client()
    assert [send_api(client).status_code for _ in range(2)] == [201, 201]
    response = send_api(client)

    assert response.status_code == 429
    assert 60 < int(response.headers["Retry-After"]) <= 3600
    assert len(stored(app)) == 2


def test_forwarded_for_is_ignored_when_not_behind_a_proxy(strict: Flask) -> None:
    client = strict.test_client()
    body = json.dumps({"text": "Cars racing along the High Street", "district": "fenland"})
    statuses = [
        client.post(
            API,
            data=body,
            headers={"Content-Type": "application/json", "X-Forwarded-For": address},
        ).status_code
        for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3")
    ]
    assert statuses == [201, 201, 429]


def test_behind_a_proxy_each_client_address_has_its_own_limit(
    sqlite_url: str, tmp_path: Path
) -> None:
    app = make_test_app(
        sqlite_url,
        ENGAGE_MODEL_DIR=tmp_path / "models",
        ENGAGE_TRUSTED_PROXIES=1,
        ENGAGE_SUBMIT_RATE_LIMIT="2 per minute",
    )
    client = app.test_client()

    def from_address(address: str) -> int:
        body = {"text": "Cars racing along the High Street", "district": "fenland"}
        return client.post(
            API,
            data=json.dumps(body),
            headers={"Content-Type": "application/json", "X-Forwarded-For": address},
        ).status_code

    assert [from_address("198.51.100.1") for _ in range(3)] == [201, 201, 429]
    assert from_address("198.51.100.2") == 201
    # Only the last hop is the proxy's: a client cannot prepend an address of its choosing.
    assert from_address("198.51.100.7, 198.51.100.1") == 429


# ---------------------------------------------------------------------------- shared storage

REDIS_URI = "redis://127.0.0.1:6379"


@pytest.fixture
def redis_uri() -> Iterator[str]:
    try:
        import redis

        connection = redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1)
        connection.ping()
    except Exception as error:
        if os.environ.get("ENGAGE_REQUIRE_REDIS", "") == "1":
            pytest.fail(f"Redis is not answering at {REDIS_URI} but ENGAGE_REQUIRE_REDIS=1")
        pytest.skip(f"Redis tests skipped: no Redis at {REDIS_URI} ({error})")
    yield REDIS_URI
    connection.close()


@pytest.mark.parametrize(("storage", "shared"), [("redis", True), ("memory://", False)])
def test_limits_are_shared_between_app_instances_only_through_redis(
    request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path, storage: str, shared: bool
) -> None:
    uri = request.getfixturevalue("redis_uri") if storage == "redis" else storage
    prefix = f"engage-test-{uuid.uuid4().hex}"

    def instance() -> FlaskClient:
        # Flask-Limiter gives each app it is set up on a storage of its own, as each
        # gunicorn worker has: only a shared server (Redis) links their counts.
        app = make_test_app(
            sqlite_url,
            ENGAGE_MODEL_DIR=tmp_path / "models",
            ENGAGE_SUBMIT_RATE_LIMIT="2 per minute",
            RATELIMIT_STORAGE_URI=uri,
            RATELIMIT_KEY_PREFIX=prefix,
        )
        return app.test_client()

    first = instance()
    assert [send_api(first).status_code for _ in range(2)] == [201, 201]
    second = instance()

    assert send_api(second).status_code == (429 if shared else 201)


@pytest.mark.parametrize("value", ["lots", "10 per fortnight", ""])
def test_a_submission_limit_that_does_not_parse_stops_the_service_starting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    monkeypatch.setattr(Test, "ENGAGE_SUBMIT_RATE_LIMIT", value)
    with pytest.raises(ConfigurationError, match="ENGAGE_SUBMIT_RATE_LIMIT"):
        Test.finalise(tmp_path)


@pytest.mark.parametrize("value", ["two", "-1"])
def test_a_proxy_count_that_is_not_a_whole_number_stops_the_service_starting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    monkeypatch.setattr(Settings, "ENGAGE_TRUSTED_PROXIES", value)
    with pytest.raises(ConfigurationError, match="ENGAGE_TRUSTED_PROXIES"):
        Test.finalise(tmp_path)


@pytest.mark.parametrize(
    ("uri", "single"),
    [
        ("redis://127.0.0.1:6379", True),
        ("rediss://cache.internal:6380/1", True),
        ("redis+unix:///run/redis.sock", True),
        ("redis+sentinel://sentinel:26379/main", False),
        ("memory://", False),
    ],
)
def test_a_plain_redis_storage_gets_one_connection_per_process(uri: str, single: bool) -> None:
    options = limiter_storage_options(uri)
    assert options.get("single_connection_client", False) is single
    if single:
        assert options["retry"].get_retries() == 1


def test_threads_of_one_process_count_exactly_through_its_one_redis_connection(
    redis_uri: str, sqlite_url: str, tmp_path: Path
) -> None:
    app = make_test_app(
        sqlite_url,
        ENGAGE_MODEL_DIR=tmp_path / "models",
        ENGAGE_SUBMIT_RATE_LIMIT="240 per minute",
        RATELIMIT_STORAGE_URI=redis_uri,
        RATELIMIT_KEY_PREFIX=f"engage-test-{uuid.uuid4().hex}",
    )
    assert app.config["RATELIMIT_STORAGE_OPTIONS"]["single_connection_client"] is True

    def count_thirty() -> None:
        for _ in range(30):
            with app.test_request_context("/api/v1/concerns", method="POST"):
                count_submission("api")

    threads = [threading.Thread(target=count_thirty) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with (
        app.test_request_context("/api/v1/concerns", method="POST"),
        pytest.raises(SubmissionLimitReached),
    ):
        count_submission("api")


def test_a_dropped_redis_connection_is_reopened_for_the_next_submission(
    redis_uri: str, sqlite_url: str, tmp_path: Path
) -> None:
    import redis

    app = make_test_app(
        sqlite_url,
        ENGAGE_MODEL_DIR=tmp_path / "models",
        ENGAGE_SUBMIT_RATE_LIMIT="3 per minute",
        RATELIMIT_STORAGE_URI=redis_uri,
        RATELIMIT_KEY_PREFIX=f"engage-test-{uuid.uuid4().hex}",
    )
    client = app.test_client()
    assert send_api(client).status_code == 201
    with app.app_context():
        own_id = limiter.storage.storage.client_id()  # type: ignore[attr-defined]
    redis.Redis.from_url(redis_uri).client_kill_filter(_id=own_id)

    assert [send_api(client).status_code for _ in range(3)] == [201, 201, 429]
