"""Logging many concerns heard at a session on one page, and correcting a theme there."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engage.auth.access import allow
from engage.classification import concern_enricher
from engage.extensions import csrf, db
from engage.models import OutreachSession
from engage.outreach import WORKERS, blueprint
from engage.outreach.helpers import (
    PAGE_LIMIT_BYTES,
    allow_larger_request,
    district_name,
    error_summary,
    now,
    staff,
    theme_choices,
)
from engage.reference_data import reference_data
from engage.repository.outreach import fetch_concern
from engage.services import outreach
from engage.services.corrections import correct_themes
from forms.outreach_concerns import ConcernRowForm, OutreachConcernsForm, ThemeCorrectionForm

ROW_PLACEHOLDER = "__ROW__"


@blueprint.route("/sessions/<int:session_id>/concerns", methods=["GET", "POST"])
@allow(*WORKERS)
def log_concerns(session_id: int) -> Response | tuple[str, int] | str:
    if request.method == "POST":
        # Checked here, after raising the size limit: many rows outgrow the global one.
        allow_larger_request(PAGE_LIMIT_BYTES)
        csrf.protect()
    found = outreach.session_for(db.session(), session_id, staff(), to_edit=True)
    form = OutreachConcernsForm()
    if not form.submission_id.data:
        form.submission_id.data = secrets.token_urlsafe(24)
    if not form.is_submitted():
        return _render(found, form)
    if request.form.get("action") == "add-rows":
        form.add_rows()
        return _render(found, form)
    if not form.validate():
        return _render(found, form, status=400)

    data = reference_data()
    logged = outreach.log_concerns(
        db.session(),
        found,
        form.checked_rows(),
        submission_id=form.submission_id.data,
        user_id=staff().id,
        areas=data.areas,
        consent_wording_version=data.intake.consent_wording_version,
        enrich=concern_enricher(),
        now=now(),
    )
    count = len(logged.concern_ids)
    flash(f"{count} {'concern' if count == 1 else 'concerns'} logged", "logged")
    return redirect(url_for("outreach.view_session", session_id=session_id), code=303)


csrf.exempt(log_concerns)


def _render(
    found: OutreachSession, form: OutreachConcernsForm, status: int = 200
) -> tuple[str, int]:
    page = render_template(
        "outreach/log_concerns.html",
        form=form,
        outreach_session=found,
        errors=error_summary(form) if form.errors else None,
        row_template=ConcernRowForm(prefix=f"rows-{ROW_PLACEHOLDER}-"),
        kind_labels=outreach.KIND_LABELS,
        district_name=district_name,
        nav_active="outreach",
    )
    return page, status


@blueprint.post("/concerns/<int:concern_id>/theme")
@allow(*WORKERS)
def correct_theme(concern_id: int) -> Response:
    user = staff()
    concern = fetch_concern(db.session(), concern_id)
    if concern is None or concern.outreach_session_id is None:
        abort(404)
    outreach.session_for(db.session(), concern.outreach_session_id, user, to_edit=True)
    form = ThemeCorrectionForm(theme_choices=theme_choices())
    if not form.validate():
        if form.theme.data:  # not a theme on the list: the form was tampered with
            abort(400)
        flash(f"Choose a theme for {concern.reference} before saving it", "problem")
        return _back_to(concern.outreach_session_id, concern_id)
    correct_themes(db.session(), concern_id, form.theme.data, None, user.id, now())
    theme = reference_data().theme_name(form.theme.data)
    flash(f"Theme of {concern.reference} changed to {theme}", "corrected")
    return _back_to(concern.outreach_session_id, concern_id)


def _back_to(session_id: int, concern_id: int) -> Response:
    target = url_for(
        "outreach.view_session", session_id=session_id, _anchor=f"concern-{concern_id}"
    )
    return redirect(target, code=303)
