"""Other channels (kiosks, partner sites) submit concerns through the JSON API."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.stored import stored_concerns as stored


def body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"text": "Speeding on the A141 near the school", "district": "fenland"}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def test_a_concern_is_stored_and_its_reference_returned(app: Flask, client: FlaskClient) -> None:
    response = client.post("/api/v1/concerns", json=body(place="March"))

    assert response.status_code == 201
    (concern,) = stored(app)
    assert response.json is not None
    assert response.json["reference"] == concern.reference
    assert response.json["urgent"] is False
    assert response.headers["Location"] == f"/api/v1/concerns/{concern.reference}"
    assert concern.channel == "api"
    assert concern.neighbourhood == "March"


def test_the_status_of_a_concern_can_be_read_back_without_its_text(client: FlaskClient) -> None:
    reference = client.post("/api/v1/concerns", json=body()).json["reference"]  # type: ignore[index]
    response = client.get(f"/api/v1/concerns/{reference.lower()}")

    assert response.status_code == 200
    assert response.json == {
        "reference": reference,
        "submitted_at": response.json["submitted_at"],  # type: ignore[index]
        "district": "fenland",
        "status": "new",
        # This app has no model: a theme only ever appears once one classified it.
        "theme": None,
    }


def test_an_unknown_reference_is_a_problem_document(client: FlaskClient) -> None:
    response = client.get("/api/v1/concerns/PP-2222-2222")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == 404  # type: ignore[index]


def test_contact_details_need_consent(app: Flask, client: FlaskClient) -> None:
    response = client.post("/api/v1/concerns", json=body(contact_email="a@example.org"))

    assert response.status_code == 422
    assert {
        "field": "consent_to_contact",
        "detail": ("Confirm that we may use your contact details to tell you what happens next"),
    } in response.json["errors"]  # type: ignore[index]
    assert stored(app) == []


def test_contact_details_with_consent_are_stored(app: Flask, client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/concerns",
        json=body(contact_phone="01632 960 001", consent_to_contact=True),
    )
    assert response.status_code == 201
    (concern,) = stored(app)
    assert concern.contact is not None
    assert concern.contact.phone == "01632 960 001"


@pytest.mark.parametrize(
    ("payload", "field", "detail"),
    [
        (body(text=None), "text", "Enter the issue you want the police to tackle"),
        (
            body(text="ab"),
            "text",
            "The issue you want the police to tackle must be 3 characters or more",
        ),
        (body(district="atlantis"), "district", "Select the district you live in from the list"),
        (body(text=42), "text", "text must be a string"),
        (
            body(consent_to_contact="yes"),
            "consent_to_contact",
            "consent_to_contact must be true or false",
        ),
        (body(colour="blue"), "colour", "colour is not a field this API accepts"),
        (body(age_band="old"), "age_band", "Select your age group from the list"),
    ],
)
def test_each_bad_field_is_named_in_the_problem(
    sqlite_app: Flask, payload: dict[str, Any], field: str, detail: str
) -> None:
    response = sqlite_app.test_client().post("/api/v1/concerns", json=payload)

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    problem = response.json
    assert problem is not None
    assert problem["title"] == "Unprocessable Content"
    assert {"field": field, "detail": detail} in problem["errors"]


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 422),
        ("text=hello", "application/x-www-form-urlencoded", 415),
    ],
)
def test_a_malformed_request_is_a_problem_document(
    sqlite_client: FlaskClient, data: str, content_type: str, status: int
) -> None:
    response = sqlite_client.post("/api/v1/concerns", data=data, content_type=content_type)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"


def test_an_oversized_body_is_a_413_problem(sqlite_client: FlaskClient) -> None:
    response = sqlite_client.post("/api/v1/concerns", json=body(text="x" * 100_000))
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"


def test_the_api_needs_no_csrf_token_but_the_page_does(sqlite_client: FlaskClient) -> None:
    assert sqlite_client.post("/api/v1/concerns", json=body()).status_code == 201
    assert sqlite_client.post("/", data={"concern": "hello there"}).status_code == 400


class TestIdempotency:
    def test_the_same_key_and_body_store_once(self, app: Flask, client: FlaskClient) -> None:
        headers = {"Idempotency-Key": "kiosk-7-000123"}
        first = client.post("/api/v1/concerns", json=body(), headers=headers)
        second = client.post("/api/v1/concerns", json=body(), headers=headers)

        assert (first.status_code, second.status_code) == (201, 200)
        assert first.json["reference"] == second.json["reference"]  # type: ignore[index]
        assert second.headers["Idempotent-Replayed"] == "true"
        assert len(stored(app)) == 1

    def test_a_used_key_with_a_different_body_is_refused(
        self, app: Flask, client: FlaskClient
    ) -> None:
        headers = {"Idempotency-Key": "kiosk-7-000124"}
        client.post("/api/v1/concerns", json=body(), headers=headers)
        response = client.post(
            "/api/v1/concerns", json=body(text="Something else"), headers=headers
        )

        assert response.status_code == 422
        assert response.content_type == "application/problem+json"
        assert len(stored(app)) == 1

    def test_a_malformed_key_is_refused(self, sqlite_client: FlaskClient) -> None:
        response = sqlite_client.post(
            "/api/v1/concerns", json=body(), headers={"Idempotency-Key": "short"}
        )
        assert response.status_code == 400


def test_an_urgent_concern_comes_back_with_advice_and_is_marked(
    app: Flask, client: FlaskClient
) -> None:
    response = client.post(
        "/api/v1/concerns", json=body(text="I want to kill myself, nobody listens")
    )
    assert response.status_code == 201
    assert response.json["urgent"] is True  # type: ignore[index]
    assert "999" in response.json["advice"]["message"]  # type: ignore[index]
    (concern,) = stored(app)
    assert concern.urgency == "urgent"


def test_the_openapi_description_covers_the_api(sqlite_client: FlaskClient) -> None:
    document = sqlite_client.get("/api/v1/openapi.json").json
    assert document is not None
    assert document["openapi"].startswith("3.1")
    operation = document["paths"]["/api/v1/concerns"]["post"]
    assert {"201", "200", "400", "413", "415", "422"} <= set(operation["responses"])
    schema = document["components"]["schemas"]["ConcernSubmission"]
    assert schema["properties"]["district"]["enum"] == [
        "cambridge_city",
        "east_cambridgeshire",
        "fenland",
        "huntingdonshire",
        "peterborough",
        "south_cambridgeshire",
    ]


def test_the_abuse_check_fields_must_be_strings(sqlite_client: FlaskClient) -> None:
    response = sqlite_client.post("/api/v1/concerns", json=body(website=1, form_token=["x"]))

    assert response.status_code == 422
    assert sorted(response.json["errors"], key=lambda e: e["field"]) == [  # type: ignore[index]
        {"field": "form_token", "detail": "form_token must be a string"},
        {"field": "website", "detail": "website must be a string"},
    ]


def test_nothing_from_one_request_carries_over_to_the_next(app: Flask, client: FlaskClient) -> None:
    full = body(
        district=None,
        place="Wisbech",
        impact="I am scared to walk home",
        age_band="35_44",
        contact_email="sam@example.org",
        consent_to_contact=True,
    )
    invalid = body(text="", contact_email="not an address", consent_to_contact=True)
    plain = body(district="peterborough")

    first = client.post("/api/v1/concerns", json=full)
    refused = client.post("/api/v1/concerns", json=invalid)
    last = client.post("/api/v1/concerns", json=plain)

    assert (first.status_code, refused.status_code, last.status_code) == (201, 422, 201)
    assert {e["field"] for e in refused.json["errors"]} == {"text", "contact_email"}  # type: ignore[index]
    by_reference = {c.reference: c for c in stored(app)}
    earlier = by_reference[first.json["reference"]]  # type: ignore[index]
    later = by_reference[last.json["reference"]]  # type: ignore[index]
    assert (earlier.district, earlier.place, earlier.contact is not None) == (
        "fenland",
        "Wisbech",
        True,
    )
    assert (later.district, later.place, later.impact, later.age_band, later.contact) == (
        "peterborough",
        None,
        None,
        None,
        None,
    )


def test_the_api_neither_reads_nor_sets_a_browser_session(sqlite_client: FlaskClient) -> None:
    page = sqlite_client.get("/")
    assert "session=" in page.headers.get("Set-Cookie", "")

    response = sqlite_client.post("/api/v1/concerns", json=body())

    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers
