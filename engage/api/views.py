"""``/api/v1``: submit a concern, read its status, and the OpenAPI description."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, current_app, jsonify, request, url_for
from flask.blueprints import BlueprintSetupState

from engage.api import blueprint
from engage.api.openapi import openapi_document
from engage.api.payload import FORM_TO_API, PayloadError, payload_to_formdata
from engage.auth.access import public
from engage.classification import concern_enricher
from engage.error_handlers import problem
from engage.extensions import db, without_sessions
from engage.public.forms import api_concern_form
from engage.reference_data import reference_data
from engage.references import normalise_reference
from engage.repository.concerns import fetch_concern_by_reference
from engage.services import intake
from engage.services.screening import issue_form_token, screen
from engage.submission_limit import SubmissionLimitReached, count_submission

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{8,128}$")


@blueprint.record_once
def _sessionless(state: BlueprintSetupState) -> None:
    """Clients of the API are not people with a browser session: no cookie is read or set."""
    assert isinstance(state.app, Flask)
    without_sessions(state.app, state.url_prefix or "/")


@blueprint.post("/concerns")
@public
def create_concern() -> Response:
    count_submission("api")
    if not request.is_json:
        return problem(
            415,
            "Unsupported Media Type",
            "Send the concern as JSON (Content-Type: application/json).",
        )
    body = request.get_json(silent=True)
    if body is None:
        return problem(400, "Malformed JSON", "The request body is not valid JSON.")
    key = request.headers.get("Idempotency-Key")
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        return problem(
            400,
            "Invalid Idempotency-Key",
            "Idempotency-Key must be 8 to 128 printable ASCII characters without spaces.",
        )
    try:
        formdata = payload_to_formdata(body)
    except PayloadError as error:
        return _invalid(error.errors)

    form = api_concern_form(formdata)
    if not form.validate():
        return _invalid(
            [
                {"field": FORM_TO_API.get(name, name), "detail": messages[0]}
                for name, messages in form.errors.items()
            ]
        )
    screening = screen(
        honeypot=form.website.data,
        form_token=form.form_token.data,
        secret=_secret(),
        min_seconds=current_app.config["ENGAGE_MIN_FILL_SECONDS"],
        token_required=False,
    )
    data = reference_data()
    submission = form.submission()
    receipt = intake.submit_concern(
        db.session(),
        submission,
        areas=data.areas,
        channel="api",
        idempotency_key=f"api:{key}" if key else None,
        consent_wording_version=data.intake.consent_wording_version,
        enrich=concern_enricher(),
        quarantine_reasons=screening.reasons,
    )
    body_out: dict[str, Any] = {
        "reference": receipt.reference,
        "submitted_at": receipt.submitted_at.isoformat(),
        "district": submission.district,
        "urgent": receipt.urgent,
        "theme": receipt.theme,
    }
    if receipt.urgent:
        body_out["advice"] = _urgent_advice()
    response = jsonify(body_out)
    response.status_code = 201 if receipt.created else 200
    response.headers["Location"] = url_for("api.concern_status", reference=receipt.reference)
    if not receipt.created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@blueprint.get("/form-token")
@public
def form_token() -> Response:
    """For a client that shows its own form to people: fetch a token when showing it and
    send it with the concern, so a form sent back implausibly fast is held for checking."""
    return jsonify(
        {
            "form_token": issue_form_token(_secret()),
            "min_seconds": current_app.config["ENGAGE_MIN_FILL_SECONDS"],
        }
    )


@blueprint.errorhandler(SubmissionLimitReached)
def too_many(error: SubmissionLimitReached) -> Response:
    response = problem(
        429,
        "Too Many Requests",
        "Too many concerns have come from this address in a short time. Nothing was "
        "stored: send it again after the number of seconds in Retry-After.",
    )
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


@blueprint.get("/concerns/<reference>")
@public
def concern_status(reference: str) -> Response:
    canonical = normalise_reference(reference)
    concern = fetch_concern_by_reference(db.session(), canonical) if canonical else None
    if concern is None:
        return problem(404, "Not Found", "No concern has this reference.")
    return jsonify(
        {
            "reference": concern.reference,
            "submitted_at": concern.submitted_at.isoformat(),
            "district": concern.district,
            "status": concern.status,
            "theme": intake.told_theme(concern),
        }
    )


@blueprint.get("/openapi.json")
@public
def openapi() -> Response:
    return jsonify(openapi_document())


def _invalid(errors: list[dict[str, str]]) -> Response:
    return problem(
        422,
        "Unprocessable Content",
        "Some fields are missing or not valid; see errors.",
        errors=errors,
    )


def _urgent_advice() -> dict[str, Any]:
    service = reference_data().service
    return {
        "message": (
            "This sounds like it may need help straight away. If anyone is in danger now, "
            "call 999. This service is not monitored all the time."
        ),
        "support_lines": [
            {"name": line.name, "number": line.number, "when": line.when}
            for line in service.support_lines
        ],
    }
