"""Your own account: changing your password and setting up two-factor authentication."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from engage.auth import blueprint
from engage.auth import two_factor as totp
from engage.auth.access import allow
from engage.auth.errors import AccountError
from engage.auth.session import start_session
from engage.extensions import db
from engage.models import ROLES
from engage.services import accounts
from forms.staff_login import ChangePasswordForm, CodeForm

_ENROLMENT_SECRET = "staff_two_factor_secret"  # noqa: S105 - a session key, not a secret


@blueprint.route("/change-password", methods=["GET", "POST"])
@allow(*ROLES)
def change_password() -> Response | tuple[str, int] | str:
    form = ChangePasswordForm()
    if not form.is_submitted():
        return _password_page(form)
    if not form.validate():
        return _password_page(form), 400
    try:
        token = accounts.change_own_password(
            db.session(),
            user_id=current_user.id,
            current_password=form.current_password.data,
            new_password=form.new_password.data,
        )
    except AccountError as error:
        field = getattr(form, error.field or "new_password")
        field.errors = [*field.errors, error.message]
        return _password_page(form), 400
    # The change ended every session, this one too: carry on in a new one.
    start_session(token)
    session["staff_notice"] = "Your password has been changed."
    return redirect(url_for("auth.staff_home"), code=303)


def _password_page(form: ChangePasswordForm) -> str:
    return render_template(
        "auth/change_password.html", form=form, forced=current_user.must_change_password
    )


@blueprint.route("/two-factor", methods=["GET", "POST"])
@allow(*ROLES)
def two_factor() -> Response | tuple[str, int] | str:
    if current_user.totp_secret:
        return render_template("auth/two_factor_on.html")
    secret = session.get(_ENROLMENT_SECRET) or totp.new_secret()
    session[_ENROLMENT_SECRET] = secret
    form = CodeForm()
    if not form.is_submitted():
        return _enrol_page(form, secret)
    if not form.validate():
        return _enrol_page(form, secret), 400
    try:
        accounts.enrol_two_factor(
            db.session(), user_id=current_user.id, secret=secret, code=form.code.data
        )
    except AccountError as error:
        form.code.errors = [*form.code.errors, error.message]
        return _enrol_page(form, secret), 400
    session.pop(_ENROLMENT_SECRET, None)
    session["staff_notice"] = "Two-factor authentication is on."
    return redirect(url_for("auth.staff_home"), code=303)


def _enrol_page(form: CodeForm, secret: str) -> str:
    uri = totp.provisioning_uri(secret, current_user.email)
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        secret=secret,
        # segno writes the SVG from the URI alone: nothing typed by a person is in it.
        qr_code=Markup(totp.qr_code_svg(uri)),  # noqa: S704
        required=current_user.role == "admin",
    )
