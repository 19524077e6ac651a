"""The People's Priorities for anyone to read: choose your area, see what your panel agreed,
what was done about it, and a few of the things residents said (as approved by staff)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, render_template, request

from engage.auth.access import public
from engage.extensions import db
from engage.models import Priority
from engage.public import blueprint
from engage.reference_data import reference_data
from engage.repository import priorities as records

OUTCOME_LABELS = {
    "achieved": "Achieved",
    "carried_over": "Carried over to the next meeting",
    "closed": "Closed",
}
DISTRICT_ERROR = "Select the district where you live"


@dataclass(frozen=True)
class ShownPriority:
    """A priority as the page shows it: theme names rather than ids."""

    priority: Priority
    theme_names: list[str]
    outcome_label: str | None


@blueprint.get("/priorities")
@public
def priorities_index() -> tuple[str, int] | str:
    areas = reference_data().areas
    chosen = request.args.get("district")
    if chosen is None and "find" not in request.args:
        return render_template("public/priorities_index.html", districts=areas.districts)
    district = areas.district(chosen or "")
    if district is None:
        page = render_template(
            "public/priorities_index.html", districts=areas.districts, error=DISTRICT_ERROR
        )
        return page, 400
    panels = records.list_panels(db.session(), district=district.id)
    return render_template("public/priorities_district.html", district=district, panels=panels)


@blueprint.get("/priorities/<slug>")
@public
def panel_priorities(slug: str) -> str:
    session = db.session()
    panel = records.find_panel(session, slug)
    if panel is None:
        abort(404)
    data = reference_data()
    shown = [
        ShownPriority(
            priority=p,
            theme_names=sorted(data.theme_name(t.theme) or t.theme for t in p.themes),
            outcome_label=OUTCOME_LABELS.get(p.status),
        )
        for p in records.panel_priorities(session, panel.id)
    ]
    district = data.areas.district(panel.district)
    return render_template(
        "public/priorities_panel.html",
        panel=panel,
        district_name=district.name if district else panel.district,
        current=[s for s in shown if s.priority.status == "active"],
        past=[s for s in shown if s.priority.status != "active"],
        quotes=records.published_quotes(session, panel),
        long_date=long_date,
    )


def long_date(day: date | None) -> str:
    """GOV.UK style: 19 November 2026."""
    return "" if day is None else f"{day.day} {day:%B %Y}"
