"""Signing in (password, then a code when two-factor is on), signing out, the staff home."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from engage.auth import blueprint, sign_in
from engage.auth.access import allow, public
from engage.auth.errors import CodeRefused, SignInRefused
from engage.auth.session import (
    PENDING_SIGN_IN,
    SIGNED_OUT_REASON,
    begin_pending_sign_in,
    end_session,
    pending_sign_in,
    safe_next,
    start_session,
)
from engage.extensions import db, limiter
from engage.models import ROLES
from forms.staff_login import CodeForm, SignInForm

_NOTICES = {
    "signed_out": "You have signed out.",
    "idle": "You were signed out because you had not done anything for a while.",
    "expired": "You were signed out because your session reached its time limit.",
    "code_timeout": "You took too long to enter the code: sign in again.",
}


def sign_in_limit() -> str:
    return str(current_app.config.get("ENGAGE_SIGN_IN_RATE_LIMIT", "10 per minute"))


@blueprint.get("/sign-in", endpoint="sign_in")
@public
def sign_in_page() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("auth.staff_home"))
    notice = _NOTICES.get(session.pop(SIGNED_OUT_REASON, ""))
    return render_template("auth/sign_in.html", form=SignInForm(), notice=notice)


@blueprint.post("/sign-in")
@limiter.limit(sign_in_limit, methods=["POST"])
@public
def sign_in_submit() -> Response | tuple[str, int]:
    form = SignInForm()
    if not form.validate():
        return render_template("auth/sign_in.html", form=form), 400
    next_url = safe_next(request.args.get("next"))
    try:
        accepted = sign_in.check_password(db.session(), form.email.data, form.password.data)
    except SignInRefused as refused:
        form.email.errors = [*form.email.errors, refused.title]
        return render_template("auth/sign_in.html", form=form), 400
    if accepted.session_token is None:
        begin_pending_sign_in(accepted.user_id, next_url)
        return redirect(url_for("auth.sign_in_code"), code=303)
    return _signed_in(accepted.session_token, next_url)


@blueprint.get("/sign-in/code")
@public
def sign_in_code() -> Response | str:
    if pending_sign_in() is None:
        return _back_to_sign_in("code_timeout" if PENDING_SIGN_IN in session else None)
    return render_template("auth/sign_in_code.html", form=CodeForm())


@blueprint.post("/sign-in/code")
@limiter.limit(sign_in_limit, methods=["POST"])
@public
def sign_in_code_submit() -> Response | tuple[str, int]:
    pending = pending_sign_in()
    if pending is None:
        return _back_to_sign_in("code_timeout" if PENDING_SIGN_IN in session else None)
    form = CodeForm()
    if not form.validate():
        return render_template("auth/sign_in_code.html", form=form), 400
    try:
        token = sign_in.check_code(db.session(), int(pending["user_id"]), form.code.data)
    except CodeRefused as refused:
        form.code.errors = [*form.code.errors, refused.title]
        return render_template("auth/sign_in_code.html", form=form), 400
    except SignInRefused:
        return _back_to_sign_in(None)
    return _signed_in(token, safe_next(pending.get("next")))


@blueprint.post("/sign-out")
@allow(*ROLES)
def sign_out() -> Response:
    sign_in.sign_out(db.session(), current_user.session_token)
    end_session("signed_out")
    return redirect(url_for("auth.sign_in"), code=303)


@blueprint.get("")
@allow(*ROLES)
def staff_home() -> str:
    return render_template(
        "auth/staff_home.html", nav_active="home", notice=session.pop("staff_notice", None)
    )


def _signed_in(session_token: str, next_url: str | None) -> Response:
    if not start_session(session_token):
        return _back_to_sign_in(None)
    return redirect(next_url or url_for("auth.staff_home"), code=303)


def _back_to_sign_in(reason: str | None) -> Response:
    session.pop(PENDING_SIGN_IN, None)
    if reason:
        session[SIGNED_OUT_REASON] = reason
    return redirect(url_for("auth.sign_in"), code=303)
