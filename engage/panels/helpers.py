"""What the panel views share: who may see which panel, dates, choices and error summaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask import abort, current_app
from flask_login import current_user
from wtforms import Field, Form

from engage.extensions import db
from engage.london_time import london_day
from engage.models import Panel, Priority, User
from engage.panels import MANAGERS
from engage.reference_data import reference_data
from engage.repository import panels as records
from engage.services.panel_pack import PackSettings, load_pack_settings


def staff() -> User:
    user: User = current_user._get_current_object()
    return user


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return london_day(now())


def may_manage(user: User) -> bool:
    return user.role in MANAGERS


def may_see(user: User, panel: Panel) -> bool:
    """Panel members see their own district's panels, or only their neighbourhood's."""
    if user.role != "panel":
        return True
    if user.district_scope != panel.district:
        return False
    return user.neighbourhood_scope is None or user.neighbourhood_scope == panel.neighbourhood


def visible_panels(user: User) -> list[Panel]:
    return [p for p in records.list_panels(db.session()) if may_see(user, p)]


def panel_or_404(slug: str) -> Panel:
    """The panel, or 404 for one that does not exist or is outside the person's area."""
    panel = records.panel_by_slug(db.session(), slug)
    if panel is None or not may_see(staff(), panel):
        abort(404)
    return panel


def priority_or_404(priority_id: int) -> tuple[Priority, Panel]:
    session = db.session()
    priority = records.priority_by_id(session, priority_id)
    panel = session.get(Panel, priority.panel_id) if priority else None
    if priority is None or panel is None or not may_see(staff(), panel):
        abort(404)
    return priority, panel


def pack_settings() -> PackSettings:
    return load_pack_settings(Path(current_app.config["ENGAGE_CONFIG_DIR"]))


def theme_names() -> dict[str, str]:
    return dict(reference_data().themes)


def theme_choices() -> list[tuple[str, str]]:
    return list(reference_data().themes.items())


def district_name(district_id: str) -> str:
    district = reference_data().areas.district(district_id)
    return district.name if district else district_id


@dataclass(frozen=True)
class OverdueReview:
    priority: Priority
    panel: Panel
    days: int


def overdue_reviews(user: User) -> list[OverdueReview]:
    on = today()
    return [
        OverdueReview(priority, panel, (on - priority.review_on).days)
        for priority, panel in records.overdue_priorities(db.session(), on)
        if may_see(user, panel)
    ]


def overdue_reviews_for_current_user() -> list[OverdueReview]:
    """For the staff home page block (a template global)."""
    if not current_user.is_authenticated:
        return []
    return overdue_reviews(staff())


def error_list(form: Form, anchors: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The GOV.UK error summary entries of a form, nested slots included, in page order.

    A date's link goes to its day box; a slot's fields are named like ``priorities-0-wording``.
    """
    entries: list[dict[str, str]] = []
    for field in form:
        entries.extend(_field_errors(field, anchors or {}))
    return entries


def _field_errors(field: Field, anchors: dict[str, str]) -> list[dict[str, str]]:
    if hasattr(field, "entries"):  # a list of slots
        return [e for entry in field.entries for e in _field_errors(entry, anchors)]
    if hasattr(field, "form") and isinstance(field.form, Form):  # one slot
        return [e for sub in field.form for e in _field_errors(sub, anchors)]
    if not field.errors or not isinstance(field.errors, list):
        return []
    target = field.id
    if type(field).__name__ == "GovDateField":
        target = f"{field.name}-day"
    return [{"text": str(field.errors[0]), "href": f"#{anchors.get(target, target)}"}]


def summary(form: Form) -> dict[str, Any] | None:
    entries = error_list(form)
    return {"titleText": "There is a problem", "errorList": entries} if entries else None
