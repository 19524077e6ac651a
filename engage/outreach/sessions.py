"""Outreach sessions: list, create, edit, and one session with the concerns logged at it."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from werkzeug.wrappers import Response

from engage.auth.access import allow
from engage.extensions import db
from engage.outreach import READERS, WORKERS, blueprint
from engage.outreach.helpers import (
    district_choices,
    district_name,
    error_summary,
    kind_choices,
    now,
    staff,
    theme_choices,
    today,
)
from engage.reference_data import reference_data
from engage.repository.outreach import fetch_session_concerns, list_outreach_sessions
from engage.services import outreach
from forms.outreach_concerns import ThemeCorrectionForm
from forms.outreach_session import OutreachSessionForm

_DATE_ANCHOR = {"held_on": "held_on-day"}


def _form(**kwargs: object) -> OutreachSessionForm:
    return OutreachSessionForm(
        kind_choices=kind_choices(),
        district_choices=district_choices(),
        today=today(),
        **kwargs,
    )


def _details(form: OutreachSessionForm) -> outreach.SessionDetails:
    """The validated answers; call only after ``validate()`` succeeded."""
    assert form.held_on.data is not None
    return outreach.SessionDetails(
        kind=form.kind.data,
        held_on=form.held_on.data,
        district=form.district.data,
        venue=form.venue.data,
        people_spoken_to=form.people(),
        notes=form.notes.data,
    )


@blueprint.get("/sessions")
@allow(*READERS)
def sessions() -> str:
    user = staff()
    everyone = user.role in outreach.READERS
    summaries = list_outreach_sessions(db.session(), created_by=None if everyone else user.id)
    return render_template(
        "outreach/sessions.html",
        summaries=summaries,
        everyone=everyone,
        may_log=user.role in WORKERS,
        kind_labels=outreach.KIND_LABELS,
        district_name=district_name,
        nav_active="outreach",
    )


@blueprint.route("/sessions/new", methods=["GET", "POST"])
@allow(*WORKERS)
def new_session() -> Response | tuple[str, int] | str:
    form = _form()
    if not form.validate_on_submit():
        return _render_form(form, editing=None)
    created = outreach.create_session(db.session(), _details(form), user_id=staff().id, now=now())
    return redirect(url_for("outreach.log_concerns", session_id=created.id), code=303)


@blueprint.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@allow(*WORKERS)
def edit_session(session_id: int) -> Response | tuple[str, int] | str:
    found = outreach.session_for(db.session(), session_id, staff(), to_edit=True)
    form = _form(obj=found)
    if not form.is_submitted():
        form.held_on.data = found.held_on
        form.people_spoken_to.data = (
            "" if found.people_spoken_to is None else str(found.people_spoken_to)
        )
    if not form.validate_on_submit():
        return _render_form(form, editing=session_id)
    outreach.update_session(db.session(), session_id, _details(form), user=staff(), now=now())
    return redirect(url_for("outreach.view_session", session_id=session_id), code=303)


def _render_form(form: OutreachSessionForm, editing: int | None) -> tuple[str, int] | str:
    page = render_template(
        "outreach/session_form.html",
        form=form,
        errors=error_summary(form, _DATE_ANCHOR) if form.errors else None,
        editing=editing,
        nav_active="outreach",
    )
    return (page, 400) if form.errors else page


@blueprint.get("/sessions/<int:session_id>")
@allow(*READERS)
def view_session(session_id: int) -> str:
    user = staff()
    found = outreach.session_for(db.session(), session_id, user)
    concerns = fetch_session_concerns(db.session(), session_id)
    return render_template(
        "outreach/session.html",
        outreach_session=found,
        concerns=concerns,
        may_edit=outreach.may_edit(user, found),
        # The person who typed the words sees them; other readers see the redacted copy.
        show_original=outreach.may_edit(user, found),
        kind_labels=outreach.KIND_LABELS,
        district_name=district_name,
        theme_name=reference_data().theme_name,
        correction_form=ThemeCorrectionForm(theme_choices=theme_choices(), formdata=None),
        nav_active="outreach",
    )
