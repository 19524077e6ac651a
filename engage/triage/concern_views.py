"""One concern as an analyst sees it, and the actions on it: each a small form.

Views are thin: find the concern, validate the form, call one service, redirect. A form
that fails shows the concern page again with that form's errors.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from engage.auth.access import allow
from engage.extensions import db
from engage.models import Concern
from engage.repository.concerns import fetch_concern_by_reference
from engage.services import audit
from engage.services import triage as actions
from engage.triage import TRIAGE_ROLES, blueprint
from engage.triage.duplicates import suggest_duplicates_of
from engage.triage.helpers import error_list, now, staff, theme_choices
from engage.triage.history import fetch_concern_events, fetch_corrections
from forms.triage import HandleForm, MergeForm, RedactForm, RethemeForm, UnmergeForm


def _concern(reference: str) -> Concern:
    concern = fetch_concern_by_reference(db.session(), reference)
    if concern is None:
        abort(404)
    return concern


def _suggestions(concern: Concern) -> list[Concern]:
    if concern.duplicate_of_id is not None:
        return []
    return suggest_duplicates_of(db.session(), concern)


def _forms(concern: Concern, failed: FlaskForm | None) -> dict[str, Any]:
    suggestions = _suggestions(concern)
    forms: dict[str, Any] = {
        "retheme_form": RethemeForm(
            formdata=None,
            themes=theme_choices(),
            data={
                "theme": concern.theme or "",
                "secondary": [t.theme for t in concern.themes if t.rank > 0],
            },
        ),
        "handle_form": HandleForm(formdata=None, note_required=concern.urgency == "urgent"),
        "redact_form": RedactForm(formdata=None),
        "merge_form": MergeForm(
            formdata=None,
            suggestions=[(c.reference, _suggestion_label(c)) for c in suggestions],
        ),
        "unmerge_form": UnmergeForm(formdata=None),
    }
    for name, form in forms.items():
        if failed is not None and type(form) is type(failed):
            forms[name] = failed
    return {**forms, "suggestions": suggestions}


def _suggestion_label(concern: Concern) -> str:
    text = concern.text_redacted or ""
    short = text if len(text) <= 120 else text[:117] + "…"
    return f"{concern.reference}: {short}"


def _page(concern: Concern, failed: FlaskForm | None = None, status: int = 200) -> Any:
    session = db.session()
    user = staff()
    # The page shows the original text, which may name people: a view of personal data.
    audit.record_view(
        session,
        user_id=user.id,
        object_type="concern",
        object_id=concern.id,
        detail={"fields": ["original_text"]},
    )
    concern = _concern(concern.reference)
    original = db.session.get(Concern, concern.duplicate_of_id) if concern.duplicate_of_id else None
    context = _forms(concern, failed)
    return (
        render_template(
            "triage/concern.html",
            nav_active="triage",
            concern=concern,
            original=original,
            corrections=fetch_corrections(session, concern.id),
            events=fetch_concern_events(session, concern.id),
            form=failed,
            errors=error_list(failed) if failed is not None and failed.errors else None,
            **context,
        ),
        status,
    )


@blueprint.get("/staff/concerns/<reference>")
@allow(*TRIAGE_ROLES)
def concern(reference: str) -> Any:
    return _page(_concern(reference))


@blueprint.get("/staff/concerns/<reference>/contact-details")
@allow(*TRIAGE_ROLES)
def contact_details(reference: str) -> Any:
    found = _concern(reference)
    if found.contact is not None:
        audit.record_view(
            db.session(),
            user_id=staff().id,
            object_type="concern_contact",
            object_id=found.id,
            detail={"fields": ["name", "email", "phone"]},
        )
        found = _concern(reference)
    return render_template(
        "triage/contact_details.html", nav_active="triage", concern=found, contact=found.contact
    )


def _done(reference: str, message: str, category: str = "success") -> Response:
    flash(message, category)
    return redirect(url_for("triage.concern", reference=reference), code=303)


@blueprint.post("/staff/concerns/<reference>/themes")
@allow(*TRIAGE_ROLES)
def retheme(reference: str) -> Any:
    found = _concern(reference)
    form = RethemeForm(themes=theme_choices())
    if not form.validate():
        return _page(found, form, 400)
    actions.retheme(
        db.session(),
        found.id,
        theme=form.theme.data,
        secondary=form.secondary.data or [],
        user_id=staff().id,
        now=now(),
    )
    return _done(
        reference, "Themes saved. The correction will be used when the model is retrained."
    )


@blueprint.post("/staff/concerns/<reference>/handled")
@allow(*TRIAGE_ROLES)
def mark_handled(reference: str) -> Any:
    found = _concern(reference)
    form = HandleForm(note_required=found.urgency == "urgent")
    if not form.validate():
        return _page(found, form, 400)
    try:
        actions.mark_handled(
            db.session(),
            found.id,
            outcome_note=form.outcome_note.data,
            user_id=staff().id,
            now=now(),
        )
    except actions.TriageRefused as refused:
        form.outcome_note.errors = [str(refused)]
        return _page(_concern(reference), form, 409)
    return _done(reference, "Marked as handled.")


@blueprint.post("/staff/concerns/<reference>/redaction")
@allow(*TRIAGE_ROLES)
def extend_redaction(reference: str) -> Any:
    found = _concern(reference)
    form = RedactForm()
    if not form.validate():
        return _page(found, form, 400)
    try:
        replaced = actions.extend_redaction(
            db.session(), found.id, phrases=form.phrase_list(), user_id=staff().id, now=now()
        )
    except actions.TriageRefused as refused:
        form.phrases.errors = [str(refused)]
        return _page(_concern(reference), form, 400)
    return _done(reference, f"Redaction extended: {replaced} place(s) hidden.")


@blueprint.post("/staff/concerns/<reference>/merge")
@allow(*TRIAGE_ROLES)
def merge(reference: str) -> Any:
    found = _concern(reference)
    suggestions = _suggestions(found)
    form = MergeForm(suggestions=[(c.reference, _suggestion_label(c)) for c in suggestions])
    if not form.validate():
        return _page(found, form, 400)
    target = next(c for c in suggestions if c.reference == form.duplicate_of.data)
    try:
        actions.merge_duplicate(
            db.session(), found.id, duplicate_of_id=target.id, user_id=staff().id, now=now()
        )
    except actions.TriageRefused as refused:
        form.duplicate_of.errors = [str(refused)]
        return _page(_concern(reference), form, 409)
    return _done(
        reference, f"Merged as a duplicate of {target.reference}. Only that one is counted."
    )


@blueprint.post("/staff/concerns/<reference>/unmerge")
@allow(*TRIAGE_ROLES)
def unmerge(reference: str) -> Any:
    found = _concern(reference)
    form = UnmergeForm()
    if not form.validate():
        abort(400)
    try:
        actions.unmerge(db.session(), found.id, user_id=staff().id, now=now())
    except actions.TriageRefused:
        return _done(
            reference, "This concern was not merged, so there was nothing to undo.", "important"
        )
    return _done(reference, "No longer a duplicate: this concern is counted again.")
