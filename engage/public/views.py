"""Views for residents. Thin: validate the form, call the intake service, redirect."""

from __future__ import annotations

import secrets

from flask import current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from engage.auth.access import public
from engage.classification import batches, concern_enricher
from engage.extensions import db
from engage.public import blueprint
from engage.public.forms import concern_form
from engage.reference_data import reference_data
from engage.services import intake
from engage.services.screening import issue_form_token, screen
from engage.submission_limit import SubmissionLimitReached, count_submission
from forms.concern import ConcernForm

_RECEIPT = "receipt"


@blueprint.get("/")
@public
def tell_us() -> str:
    form = concern_form(
        formdata=None,
        data={
            "submission_id": secrets.token_urlsafe(24),
            "form_token": issue_form_token(_secret()),
        },
    )
    return render_template("public/tell_us.html", form=form)


@blueprint.get("/tell-us")
@public
def tell_us_alias() -> Response:
    return redirect(url_for("public.tell_us"), code=301)


@blueprint.post("/")
@public
def submit() -> Response | tuple[str, int] | str:
    count_submission("web")
    form = concern_form()
    if not form.submission_id.data:
        form.submission_id.data = secrets.token_urlsafe(24)
    if request.form.get("action") == "change" or not form.validate():
        return render_form(form, status=200 if request.form.get("action") == "change" else 400)

    submission = form.submission()
    if form.urgent_advice_seen.data != "yes" and intake.screen_for_urgency(submission).is_urgent:
        return render_template("public/urgent_advice.html", form=form)

    screening = screen(
        honeypot=form.website.data,
        form_token=form.form_token.data,
        secret=_secret(),
        min_seconds=current_app.config["ENGAGE_MIN_FILL_SECONDS"],
        token_required=True,
    )
    data = reference_data()
    receipt = intake.submit_concern(
        db.session(),
        submission,
        areas=data.areas,
        channel="web",
        # The key carries the digest so a resend stores nothing twice while an edited
        # resubmission (back button, change, send) is a concern of its own.
        idempotency_key=f"web:{form.submission_id.data}:{intake.fingerprint(submission)}",
        consent_wording_version=data.intake.consent_wording_version,
        enrich=concern_enricher(),
        quarantine_reasons=screening.reasons,
    )
    session[_RECEIPT] = {
        "reference": receipt.reference,
        "urgent": receipt.urgent,
        "district": submission.district,
        "theme": receipt.theme,
    }
    return redirect(url_for("public.confirmation"), code=303)


def render_form(form: ConcernForm, status: int = 200, **context: object) -> tuple[str, int]:
    return render_template("public/tell_us.html", form=form, **context), status


@blueprint.errorhandler(SubmissionLimitReached)
def too_many(error: SubmissionLimitReached) -> tuple[str, int, dict[str, str]]:
    """Too many concerns from one address: show the form again with every answer kept."""
    seconds = error.retry_after
    page, status = render_form(
        concern_form(), status=429, retry_after_minutes=max(1, round(seconds / 60))
    )
    return page, status, {"Retry-After": str(seconds)}


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


@blueprint.get("/confirmation")
@public
def confirmation() -> Response | str:
    receipt = session.get(_RECEIPT)
    if not receipt:
        return redirect(url_for("public.tell_us"))
    district = reference_data().areas.district(receipt["district"])
    theme = receipt.get("theme")
    if theme is None and batches() is not None:
        theme = intake.theme_to_tell(db.session(), receipt["reference"])
    return render_template(
        "public/confirmation.html",
        receipt=receipt,
        district_name=district.name if district else None,
        theme_name=reference_data().theme_name(theme),
    )


@blueprint.get("/privacy")
@public
def privacy() -> str:
    return render_template("public/privacy.html")


@blueprint.get("/accessibility")
@public
def accessibility() -> str:
    return render_template("public/accessibility.html")


@blueprint.get("/cookies")
@public
def cookies() -> str:
    return render_template("public/cookies.html")
