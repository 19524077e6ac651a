"""Admin pages for staff accounts: list, add, reset a password, change role, deactivate."""

from __future__ import annotations

from flask import abort, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from engage.auth import blueprint
from engage.auth.access import allow
from engage.auth.errors import AccountError, UserNotFound
from engage.extensions import db
from engage.models import ROLES, User
from engage.reference_data import reference_data
from engage.repository import users as user_records
from engage.services import accounts
from forms.staff_accounts import ROLE_LABELS, ConfirmForm, NewUserForm, RoleForm

_NOTICE = "staff_notice"


def _district_choices() -> list[tuple[str, str]]:
    return reference_data().areas.choices()


def _district_names() -> dict[str, str]:
    return dict(_district_choices())


@blueprint.get("/users")
@allow("admin")
def users() -> str:
    return render_template(
        "auth/users.html",
        nav_active="users",
        users=user_records.list_users(db.session()),
        districts=_district_names(),
        notice=session.pop(_NOTICE, None),
    )


@blueprint.route("/users/new", methods=["GET", "POST"])
@allow("admin")
def create_user() -> tuple[str, int] | str:
    form = NewUserForm(roles=ROLES, district_choices=_district_choices())
    if not form.is_submitted():
        return _new_user_page(form)
    if not form.validate():
        return _new_user_page(form), 400
    try:
        user, password = accounts.create_account(
            db.session(),
            actor_id=current_user.id,
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            district=form.district.data or None,
            neighbourhood=form.neighbourhood.data or None,
            areas=reference_data().areas,
        )
    except AccountError as error:
        _field_error(form, error)
        return _new_user_page(form), 400
    # Shown on this response only, never stored: the page is not cached (no-store).
    return _one_time_password_page(user, password, created=True)


def _new_user_page(form: NewUserForm) -> str:
    return render_template("auth/user_new.html", form=form, nav_active="users")


@blueprint.get("/users/<int:user_id>")
@allow("admin")
def user_detail(user_id: int) -> str:
    user = _account(user_id)
    return _user_page(user, _role_form_for(user))


@blueprint.post("/users/<int:user_id>/role")
@allow("admin")
def change_role(user_id: int) -> Response | tuple[str, int]:
    user = _account(user_id)
    form = RoleForm(roles=ROLES, district_choices=_district_choices())
    if not form.validate():
        return _user_page(user, form), 400
    try:
        accounts.change_role(
            db.session(),
            actor_id=current_user.id,
            user_id=user_id,
            role=form.role.data,
            district=form.district.data or None,
            neighbourhood=form.neighbourhood.data or None,
            areas=reference_data().areas,
        )
    except AccountError as error:
        _field_error(form, error)
        return _user_page(user, form), 400
    return _done(f"{user.name}'s role has been changed.")


@blueprint.post("/users/<int:user_id>/reset-password")
@allow("admin")
def reset_password(user_id: int) -> Response | tuple[str, int] | str:
    _account(user_id)
    if not ConfirmForm().validate():
        abort(400)
    user, password = accounts.reset_password(
        db.session(), actor_id=current_user.id, user_id=user_id
    )
    return _one_time_password_page(user, password, created=False)


@blueprint.post("/users/<int:user_id>/deactivate")
@allow("admin")
def deactivate_user(user_id: int) -> Response | tuple[str, int]:
    return _set_active(user_id, active=False)


@blueprint.post("/users/<int:user_id>/reactivate")
@allow("admin")
def reactivate_user(user_id: int) -> Response | tuple[str, int]:
    return _set_active(user_id, active=True)


@blueprint.post("/users/<int:user_id>/remove-two-factor")
@allow("admin")
def remove_two_factor(user_id: int) -> Response:
    _account(user_id)
    if not ConfirmForm().validate():
        abort(400)
    user = accounts.remove_two_factor(db.session(), actor_id=current_user.id, user_id=user_id)
    return _done(f"Two-factor authentication is off for {user.name}: they can set it up again.")


def _set_active(user_id: int, *, active: bool) -> Response | tuple[str, int]:
    user = _account(user_id)
    if not ConfirmForm().validate():
        abort(400)
    try:
        accounts.set_active(db.session(), actor_id=current_user.id, user_id=user_id, active=active)
    except AccountError as error:
        return _user_page(user, _role_form_for(user), problem=error.message), 400
    return _done(f"{user.name} can {'now' if active else 'no longer'} sign in.")


def _account(user_id: int) -> User:
    try:
        return accounts.fetch_account(db.session(), user_id)
    except UserNotFound:
        abort(404)


def _role_form_for(user: User) -> RoleForm:
    return RoleForm(
        formdata=None,
        roles=ROLES,
        district_choices=_district_choices(),
        data={
            "role": user.role,
            "district": user.district_scope or "",
            "neighbourhood": user.neighbourhood_scope or "",
        },
    )


def _user_page(user: User, form: RoleForm, problem: str | None = None) -> str:
    return render_template(
        "auth/user.html",
        user=user,
        form=form,
        actions=ConfirmForm(),
        problem=problem,
        role_labels=ROLE_LABELS,
        districts=_district_names(),
        is_self=user.id == current_user.id,
        nav_active="users",
    )


def _one_time_password_page(user: User, password: str, *, created: bool) -> str:
    return render_template(
        "auth/one_time_password.html",
        user=user,
        password=password,
        created=created,
        nav_active="users",
    )


def _done(message: str) -> Response:
    session[_NOTICE] = message
    return redirect(url_for("auth.users"), code=303)


def _field_error(form: RoleForm, error: AccountError) -> None:
    field = getattr(form, error.field or "role", None) or form.role
    field.errors = [*field.errors, error.message]
