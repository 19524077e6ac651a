"""The list of panels, setting one up, and one panel's meetings and priorities."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from werkzeug.wrappers import Response

from engage.auth.access import allow
from engage.extensions import db
from engage.panels import MANAGERS, READERS, blueprint
from engage.panels.helpers import (
    district_name,
    may_manage,
    now,
    overdue_reviews,
    panel_or_404,
    staff,
    summary,
    theme_names,
    today,
    visible_panels,
)
from engage.reference_data import reference_data
from engage.repository import panels as records
from engage.repository.notification_queue import queue_counts
from engage.services import panels as panel_service
from forms.panels import PanelForm


@blueprint.get("")
@allow(*READERS)
def index() -> str:
    user = staff()
    return render_template(
        "panels/index.html",
        panels=visible_panels(user),
        overdue=overdue_reviews(user),
        may_manage=may_manage(user),
        failed_notifications=(queue_counts(db.session())["failed"] if may_manage(user) else 0),
        district_name=district_name,
        nav_active="panels",
    )


def _area_choices() -> list[tuple[str, str]]:
    """Areas with no panel yet: each district, then each of its neighbourhoods."""
    taken = {(p.district, p.neighbourhood) for p in records.list_panels(db.session())}
    choices = []
    for district in reference_data().areas.districts:
        for neighbourhood in (None, *district.neighbourhoods):
            if (district.id, neighbourhood) in taken:
                continue
            value = district.id if neighbourhood is None else f"{district.id}/{neighbourhood}"
            label = (
                f"{district.name} (whole district)"
                if neighbourhood is None
                else f"{neighbourhood}, {district.name}"
            )
            choices.append((value, label))
    return choices


@blueprint.route("/new", methods=["GET", "POST"])
@allow(*MANAGERS)
def new_panel() -> Response | tuple[str, int] | str:
    form = PanelForm(area_choices=_area_choices())
    if not form.validate_on_submit():
        page = render_template(
            "panels/new_panel.html", form=form, errors=summary(form), nav_active="panels"
        )
        return (page, 400) if form.errors else page
    district, _, neighbourhood = form.area.data.partition("/")
    panel = panel_service.create_panel(
        db.session(),
        reference_data().areas,
        district,
        neighbourhood or None,
        user_id=staff().id,
        now=now(),
    )
    return redirect(url_for("panels.panel", slug=panel.slug), code=303)


@blueprint.get("/<slug>")
@allow(*READERS)
def panel(slug: str) -> str:
    found = panel_or_404(slug)
    return render_template(
        "panels/panel.html",
        panel=found,
        meetings=records.meetings_of(db.session(), found.id),
        today=today(),
        may_manage=may_manage(staff()),
        theme_names=theme_names(),
        status_labels=panel_service.STATUS_LABELS,
        district_name=district_name,
        nav_active="panels",
    )
