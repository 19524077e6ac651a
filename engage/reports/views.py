"""The reports dashboard and the digest files, for the commissioner's office and analysts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from flask import current_app, render_template, request, send_file
from werkzeug.wrappers import Response

from engage.auth.access import allow
from engage.channels import channel_label
from engage.extensions import db
from engage.models import CHANNELS
from engage.reference_data import reference_data
from engage.reports import REPORT_ROLES, blueprint
from engage.reports.dashboard import build_dashboard, digest_file, list_digests, report_period
from engage.reports.filter_form import ReportFilterForm
from jobs.digest_model import Filters, Names
from jobs.framework import Grain


def _names() -> Names:
    data = reference_data()
    return Names({d.id: d.name for d in data.areas.districts}, dict(data.themes))


@blueprint.get("/staff/reports")
@allow(*REPORT_ROLES)
def dashboard() -> str:
    names = _names()
    form = ReportFilterForm(
        request.args,
        districts=list(names.districts.items()),
        neighbourhoods=[
            (d.id, n) for d in reference_data().areas.districts for n in d.neighbourhoods
        ],
        themes=list(names.themes.items()),
        channels=[(c, channel_label(c)) for c in CHANNELS],
    )
    session = db.session()
    figures = None
    if form.validate():
        period = report_period(cast(Grain, form.grain.data), form.chosen_day(), _now())
        district, neighbourhood = form.chosen_area()
        filters = Filters(
            district=district,
            neighbourhood=neighbourhood,
            theme=form.theme.data or None,
            channel=form.channel.data or None,
        )
        figures = build_dashboard(session, period, filters, names, _now())
    return render_template(
        "reports/dashboard.html",
        nav_active="reports",
        form=form,
        form_errors=[
            {"text": message, "href": f"#{getattr(form, name).id}"}
            for name, messages in form.errors.items()
            for message in messages
        ],
        figures=figures,
        digests=list_digests(session),
    )


@blueprint.get("/staff/reports/digests/<int:digest_id>/<name>")
@allow(*REPORT_ROLES)
def digest_download(digest_id: int, name: str) -> Response:
    path = digest_file(db.session(), digest_id, name, Path(current_app.config["ENGAGE_OUTBOX_DIR"]))
    # Only the PDF opens in the browser; the HTML page carries its own styles, which this
    # site's Content-Security-Policy would strip, so it is downloaded like the tables.
    return send_file(
        path,
        as_attachment=path.suffix != ".pdf",
        download_name=f"{path.parent.name}-{path.name}",
    )


def _now() -> datetime:
    return datetime.now(UTC)
