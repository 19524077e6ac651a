"""What the triage views share: the signed-in person, choices from config, page numbers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, cast

from flask import request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from engage.channels import channel_label
from engage.london_time import LONDON, london_day
from engage.models import User
from engage.models.concern import CHANNELS, STATUSES, URGENCIES
from engage.reference_data import reference_data
from forms.concern_search import DateInputField


def staff() -> User:
    return cast(User, current_user._get_current_object())


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return london_day(now())


def label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def theme_choices() -> list[tuple[str, str]]:
    return list(reference_data().themes.items())


def district_choices() -> list[tuple[str, str]]:
    return reference_data().areas.choices()


def neighbourhood_choices() -> list[tuple[str, str, str]]:
    return [
        (district.id, name, f"{name} ({district.name})")
        for district in reference_data().areas.districts
        for name in district.neighbourhoods
    ]


def search_choices() -> dict[str, Any]:
    return {
        "districts": district_choices(),
        "neighbourhoods": neighbourhood_choices(),
        "themes": theme_choices(),
        "channels": [(c, channel_label(c)) for c in CHANNELS],
        "statuses": [(s, label(s)) for s in STATUSES],
        "urgencies": [(u, label(u)) for u in URGENCIES],
    }


def page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def pagination(endpoint: str, page: int, pages: int, **values: Any) -> dict[str, Any] | None:
    """Parameters for govukPagination, keeping the other query values; None for one page."""
    if pages <= 1:
        return None
    args = {k: v for k, v in values.items() if v not in (None, "")}

    def link(number: int) -> str:
        return url_for(endpoint, **args, page=number)

    params: dict[str, Any] = {
        "items": [
            {"number": n, "href": link(n), "current": n == page}
            if n in (1, pages) or abs(n - page) <= 2
            else {"ellipsis": True}
            for n in range(1, pages + 1)
        ]
    }
    # Collapse runs of ellipses into one.
    items: list[dict[str, Any]] = []
    for item in params["items"]:
        if item.get("ellipsis") and items and items[-1].get("ellipsis"):
            continue
        items.append(item)
    params["items"] = items
    if page > 1:
        params["previous"] = {"href": link(page - 1)}
    if page < pages:
        params["next"] = {"href": link(page + 1)}
    return params


def query_values(exclude: tuple[str, ...] = ("page",)) -> dict[str, Any]:
    """The current query string, as url_for keyword arguments (lists kept)."""
    return {
        key: values if len(values) > 1 else values[0]
        for key, values in request.args.lists()
        if key not in exclude
    }


def error_list(form: FlaskForm) -> list[dict[str, str]]:
    """The error summary's entries; a date's error links to its day box, as GOV.UK asks."""
    entries = []
    for name, messages in cast(Mapping[str, list[str]], form.errors).items():
        field = form[name]
        anchor = f"{field.id}-day" if isinstance(field, DateInputField) else field.id
        entries.append({"text": messages[0], "href": f"#{anchor}"})
    return entries


def when(moment: datetime | None) -> str:
    """A moment as people here read it: London time, "23 Nov 2026, 14:05"."""
    if moment is None:
        return ""
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%b %Y, %H:%M}"


def district_name(district_id: str | None) -> str:
    district = reference_data().areas.district(district_id) if district_id else None
    return district.name if district else (district_id or "")


def template_helpers() -> dict[str, Any]:
    return {
        "when": when,
        "district_name": district_name,
        "theme_name": reference_data().theme_name,
    }
