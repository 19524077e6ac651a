"""A panel's pack, on screen and as a PDF, and approving its quotes for publication."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response as Redirect

from engage.auth.access import allow
from engage.extensions import db
from engage.models import Panel
from engage.panels import MANAGERS, READERS, blueprint
from engage.panels.charts import pack_charts
from engage.panels.helpers import (
    district_name,
    may_manage,
    now,
    pack_settings,
    panel_or_404,
    staff,
    theme_names,
    today,
)
from engage.reports.rendering import render_pdf
from engage.services import panel_quotes
from engage.services.panel_pack import (
    PackPeriod,
    PanelPack,
    build_pack,
    default_period,
    months_ending,
)
from engage.services.panels import STATUS_LABELS

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
PERIOD_CHOICES = 12


def _period_choices(on: date) -> list[tuple[str, PackPeriod]]:
    """The last twelve three-month periods that have ended, latest first."""
    choices = []
    last = on.replace(day=1) - timedelta(days=1)
    for _ in range(PERIOD_CHOICES):
        choices.append((f"{last:%Y-%m}", months_ending(last)))
        last = last.replace(day=1) - timedelta(days=1)
    return choices


def chosen_period(on: date) -> tuple[str, PackPeriod]:
    choices = dict(_period_choices(on))
    wanted = request.args.get("end", "")
    if _MONTH.match(wanted) and wanted in choices:
        return wanted, choices[wanted]
    period = default_period(on)
    return f"{period.end:%Y-%m}", period


def _pack(panel: Panel, period: PackPeriod) -> PanelPack:
    return build_pack(
        db.session(),
        panel,
        period,
        half_life_days=pack_settings().half_life_days,
        theme_names=theme_names(),
        today=today(),
        now=now(),
    )


def _context(pack: PanelPack) -> dict[str, Any]:
    return {
        "pack": pack,
        # matplotlib's own SVG, with every text it draws escaped by it
        "charts": {k: Markup(v) for k, v in pack_charts(pack.themes).items()},  # noqa: S704
        "theme_names": theme_names(),
        "status_labels": STATUS_LABELS,
        "district_name": district_name,
        "today": today(),
    }


@blueprint.get("/<slug>/pack")
@allow(*READERS)
def pack(slug: str) -> str:
    found = panel_or_404(slug)
    chosen, period = chosen_period(today())
    return render_template(
        "panels/pack.html",
        **_context(_pack(found, period)),
        chosen=chosen,
        period_choices=_period_choices(today()),
        may_manage=may_manage(staff()),
        nav_active="panels",
    )


@blueprint.get("/<slug>/pack.pdf")
@allow(*READERS)
def pack_pdf(slug: str) -> Response:
    found = panel_or_404(slug)
    chosen, period = chosen_period(today())
    html = render_template("panels/pack_print.html", **_context(_pack(found, period)))
    pdf = render_pdf(html)
    if pdf is None:
        abort(503)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="panel-pack-{found.slug}-{chosen}.pdf"'
    )
    return response


def _back_to_pack(slug: str) -> Redirect:
    end = request.form.get("end", "")
    target = url_for("panels.pack", slug=slug, end=end) if _MONTH.match(end) else None
    return redirect((target or url_for("panels.pack", slug=slug)) + "#quotes", code=303)


@blueprint.post("/<slug>/quotes/<int:concern_id>/approve")
@allow(*MANAGERS)
def approve_quote(slug: str, concern_id: int) -> Redirect:
    found = panel_or_404(slug)
    panel_quotes.approve_quote(db.session(), found, concern_id, user_id=staff().id, now=now())
    return _back_to_pack(slug)


@blueprint.post("/<slug>/quotes/<int:concern_id>/withdraw")
@allow(*MANAGERS)
def withdraw_quote(slug: str, concern_id: int) -> Redirect:
    found = panel_or_404(slug)
    panel_quotes.withdraw_quote(db.session(), found, concern_id, user_id=staff().id, now=now())
    return _back_to_pack(slug)
