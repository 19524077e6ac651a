"""Small factories that fill in defaults, so a test names only what it is about."""

from __future__ import annotations

from typing import Any

from forms.submission import ConcernSubmission, ContactDetails


def submission(**overrides: Any) -> ConcernSubmission:
    values: dict[str, Any] = {
        "text": "Cars racing along the High Street every night",
        "district": "fenland",
        "place": "Wisbech",
        "impact": None,
        "dealing_with_concerns": None,
        "age_band": None,
        "contact": None,
    }
    values.update(overrides)
    return ConcernSubmission(**values)


def contact(**overrides: Any) -> ContactDetails:
    values: dict[str, Any] = {"name": "A Resident", "email": "resident@example.org", "phone": None}
    values.update(overrides)
    return ContactDetails(**values)


def form_answers(**overrides: str) -> dict[str, str]:
    """What a resident fills in on the page, as posted form fields."""
    values = {
        "concern": "Cars racing along the High Street every night",
        "district": "fenland",
        "place": "Wisbech",
        "submission_id": "test-submission-0001",
        "action": "send",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}
