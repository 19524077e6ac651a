"""Hostile input on every form and API endpoint: any Unicode, control codes, lone surrogates
(where the transport can carry them), huge and empty values, wrong JSON types. Nothing may
cause a server error; text the service accepts is stored exactly as sent, and text it
refuses (NUL and other invisible control codes) gets a clear 4xx naming the field.

Hypothesis runs a fixed number of examples, derandomised and without an example database,
so every CI run tries the same inputs.
"""

from __future__ import annotations

import json
import secrets
import unicodedata
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from engage.extensions import db
from engage.models import Concern
from tests.pages import Page
from tests.robustness.hostile import form_body, hostile_text, json_values

pytestmark = [
    pytest.mark.slow,
    # Hypothesis warns when it writes out a huge example; huge examples are the point here.
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
]

# The limits the service promises (forms/concern.py, settings.MAX_CONTENT_LENGTH); written
# out here, not imported, so the test states them independently.
TEXT_MIN, TEXT_MAX, PLACE_MAX = 3, 2000, 200
BODY_MAX = 64 * 1024

fuzz = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def refused_characters(text: str) -> bool:
    """Control codes other than tab and line breaks, lone surrogates, and the two
    non-characters U+FFFE and U+FFFF: what the service promises to refuse."""
    return any(
        (unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r") or c in "\ufffe\uffff"
        for c in text
    )


def acceptable(text: str, minimum: int, maximum: int) -> bool:
    return not refused_characters(text) and minimum <= len(text.strip()) <= maximum


def has_surrogates(text: str) -> bool:
    return any(unicodedata.category(c) == "Cs" for c in text)


def newest_concern(app: Flask) -> Concern | None:
    with app.app_context():
        concern = db.session.scalars(select(Concern).order_by(Concern.id.desc())).first()
        db.session.expunge_all()
        db.session.remove()
        return concern


def count_concerns(app: Flask) -> int:
    with app.app_context():
        total = len(db.session.scalars(select(Concern.id)).all())
        db.session.remove()
        return total


# ------------------------------------------------------------------ the resident's form


@fuzz
@given(text=hostile_text, place=hostile_text)
def test_resident_form_stores_accepted_text_exactly_and_names_what_it_refuses(
    fuzz_app: Flask, text: str, place: str
) -> None:
    client = fuzz_app.test_client()
    before = count_concerns(fuzz_app)
    body = form_body(
        [
            ("concern", text),
            ("district", "fenland"),
            ("place", place),
            ("submission_id", secrets.token_urlsafe(24)),
            ("urgent_advice_seen", "yes"),
            ("action", "send"),
        ]
    )
    response = client.post("/", data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code < 500
    if len(body) > BODY_MAX:
        assert response.status_code == 413
        return
    if has_surrogates(text) or has_surrogates(place):
        return  # not UTF-8 on the wire: what the server reads is not what was typed
    if acceptable(text, TEXT_MIN, TEXT_MAX) and (
        not place.strip() or acceptable(place, 1, PLACE_MAX)
    ):
        assert response.status_code == 303, Page.of(response.data).error_summary()
        stored = newest_concern(fuzz_app)
        assert stored is not None
        assert stored.text == text
        assert stored.place == (place.strip() or None)
        assert count_concerns(fuzz_app) == before + 1
    else:
        assert response.status_code == 400
        page = Page.of(response.data)
        links = [target for _, target in page.error_summary()]
        assert links, "a refused answer must be explained in the error summary"
        assert set(links) <= {"#concern", "#place"}
        assert count_concerns(fuzz_app) == before


# ------------------------------------------------------------------ the API

API_FIELDS = [
    "text",
    "district",
    "place",
    "impact",
    "dealing_with_concerns",
    "age_band",
    "contact_name",
    "contact_email",
    "contact_phone",
    "consent_to_contact",
]


def post_json(client: FlaskClient, raw: bytes, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        "/api/v1/concerns", data=raw, content_type="application/json", headers=headers
    )


@fuzz
@given(text=hostile_text, place=hostile_text)
def test_api_stores_accepted_text_exactly_and_names_what_it_refuses(
    fuzz_app: Flask, text: str, place: str
) -> None:
    client = fuzz_app.test_client()
    before = count_concerns(fuzz_app)
    # ensure_ascii writes a lone surrogate as a \\ud800 escape: valid JSON, invalid text.
    raw = json.dumps({"text": text, "district": "fenland", "place": place}).encode()
    response = post_json(client, raw)

    assert response.status_code < 500
    if len(raw) > BODY_MAX:
        assert response.status_code == 413
        return
    if acceptable(text, TEXT_MIN, TEXT_MAX) and (
        not place.strip() or acceptable(place, 1, PLACE_MAX)
    ):
        assert response.status_code == 201, response.json
        stored = newest_concern(fuzz_app)
        assert stored is not None
        assert stored.reference == response.json["reference"]
        assert stored.text == text
        assert stored.place == (place.strip() or None)
    else:
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"
        fields = {error["field"] for error in response.json["errors"]}
        assert fields
        assert fields <= {"text", "place"}
        assert count_concerns(fuzz_app) == before


api_bodies = st.one_of(
    st.dictionaries(st.sampled_from(API_FIELDS), json_values, max_size=6),
    st.dictionaries(st.one_of(st.sampled_from(API_FIELDS), st.text(max_size=20)), json_values),
    json_values,
)


@fuzz
@given(
    body=api_bodies,
    key=st.one_of(st.none(), st.text(max_size=200).filter(lambda k: "\n" not in k)),
)
def test_api_answers_any_json_with_a_4xx_or_a_stored_concern(
    fuzz_app: Flask, body: Any, key: str | None
) -> None:
    client = fuzz_app.test_client()
    raw = json.dumps(body).encode()
    try:
        response = post_json(client, raw, key)
    except (UnicodeEncodeError, ValueError):
        return  # a header Werkzeug's client will not send (not Latin-1, or a line break)
    assert response.status_code in (200, 201, 400, 413, 422), response.data[:500]
    if response.status_code == 201:
        stored = newest_concern(fuzz_app)
        assert stored is not None
        assert stored.text == body["text"]
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"


@fuzz
@given(
    raw=st.binary(max_size=3000),
    content_type=st.sampled_from(
        [
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ]
    ),
)
def test_api_answers_any_bytes_with_a_4xx(fuzz_app: Flask, raw: bytes, content_type: str) -> None:
    response = fuzz_app.test_client().post("/api/v1/concerns", data=raw, content_type=content_type)
    assert response.status_code in (201, 400, 413, 415, 422)


@fuzz
@given(reference=hostile_text)
def test_api_status_lookup_answers_any_reference_without_error(
    fuzz_app: Flask, reference: str
) -> None:
    path = "/api/v1/concerns/" + quote(reference.encode("utf-8", "surrogatepass"), safe="")
    response = fuzz_app.test_client().get(path)
    assert response.status_code == 404
    assert response.mimetype in ("application/problem+json", "text/html")
