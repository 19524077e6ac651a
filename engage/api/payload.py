"""Turning a JSON body into the resident's form, so the API validates exactly as the page does."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

# API field -> form field. The API speaks plainer names than the page's HTML.
TEXT_FIELDS = {
    "text": "concern",
    "district": "district",
    "place": "place",
    "impact": "impact",
    "dealing_with_concerns": "dealing_with_concerns",
    "age_band": "age_band",
    "contact_name": "contact_name",
    "contact_email": "contact_email",
    "contact_phone": "contact_phone",
}
BOOLEAN_FIELDS = {"consent_to_contact": "consent"}
# Abuse checks (engage/services/screening.py): a client that shows its own form to people
# passes on the form token it fetched when showing it, and its hidden honeypot field.
SCREENING_FIELDS = {"form_token": "form_token", "website": "website"}
FORM_TO_API = {form: api for api, form in {**TEXT_FIELDS, **BOOLEAN_FIELDS}.items()}
FORM_TO_API["wants_contact"] = "contact_email"


class PayloadError(ValueError):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("invalid payload")
        self.errors = errors


def payload_to_formdata(body: Any) -> MultiDict[str, str]:
    """Check types and names, then map a JSON object onto the form's fields."""
    if not isinstance(body, dict):
        raise PayloadError([{"field": "", "detail": "The request body must be a JSON object"}])
    errors: list[dict[str, str]] = []
    formdata: MultiDict[str, str] = MultiDict()
    for key, value in body.items():
        if key in TEXT_FIELDS or key in SCREENING_FIELDS:
            if value is None:
                continue
            if not isinstance(value, str):
                errors.append({"field": key, "detail": f"{key} must be a string"})
                continue
            formdata[TEXT_FIELDS.get(key) or SCREENING_FIELDS[key]] = value
        elif key in BOOLEAN_FIELDS:
            if not isinstance(value, bool):
                errors.append({"field": key, "detail": f"{key} must be true or false"})
                continue
            if value:
                formdata[BOOLEAN_FIELDS[key]] = "y"
        else:
            errors.append({"field": key, "detail": f"{key} is not a field this API accepts"})
    if errors:
        raise PayloadError(errors)
    if any(formdata.get(f) for f in ("contact_email", "contact_phone", "contact_name")) or body.get(
        "consent_to_contact"
    ):
        formdata["wants_contact"] = "yes"
    return formdata
