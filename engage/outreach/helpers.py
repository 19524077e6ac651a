"""What the outreach views share: the signed-in person, today's date, choices, summaries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import current_app, request
from flask_login import current_user
from flask_wtf import FlaskForm

from engage.classification import loader
from engage.london_time import LONDON
from engage.models import SESSION_KINDS, User
from engage.reference_data import reference_data
from engage.services.classification import Classifies
from engage.services.outreach import KIND_LABELS

# The global limit suits one resident's concern; a page of concerns or a file needs more.
PAGE_LIMIT_BYTES = 1024 * 1024
UPLOAD_LIMIT_BYTES = 2 * 1024 * 1024 + 64 * 1024


def staff() -> User:
    user: User = current_user._get_current_object()
    return user


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return datetime.now(LONDON).date()


def allow_larger_request(limit: int) -> None:
    request.max_content_length = limit
    request.max_form_memory_size = limit


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, KIND_LABELS[kind]) for kind in SESSION_KINDS]


def district_choices() -> list[tuple[str, str]]:
    return reference_data().areas.choices()


def district_name(district_id: str) -> str:
    district = reference_data().areas.district(district_id)
    return district.name if district else district_id


def theme_choices() -> list[tuple[str, str]]:
    return list(reference_data().themes.items())


def inline_classifier() -> Classifies | None:
    """The theme model when the settings classify on the request, else None (classified later)."""
    if not current_app.config["ENGAGE_CLASSIFY_INLINE"]:
        return None
    return loader().classifier()


def error_summary(form: FlaskForm, anchors: dict[str, str] | None = None) -> dict[str, Any]:
    """The GOV.UK error summary for a form; ``anchors`` sends a field's link to its first box."""
    from govuk_frontend_wtf.main import wtforms_errors

    params: dict[str, Any] = wtforms_errors(form)
    for item in params["errorList"]:
        target = item["href"].removeprefix("#")
        if anchors and target in anchors:
            item["href"] = f"#{anchors[target]}"
    return params
