"""``engage users ...``: accounts from the command line, and the first admin on first run."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from engage.auth.commands import users
from engage.extensions import db
from engage.models import User
from tests.engage.auth.conftest import MakeUser, fetch_user, sign_in

_PASSWORD = re.compile(r"One-time password:\s+(\S+)")


def _run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(users, list(args))
    return result.exit_code, result.output


def _accounts(app: Flask) -> list[User]:
    with app.app_context():
        found = list(db.session.scalars(select(User).order_by(User.id)))
        db.session.expunge_all()
        return found


def test_create_prints_the_one_time_password_once(app: Flask) -> None:
    code, output = _run(
        app,
        "create",
        "--email",
        "Jo@Example.org",
        "--name",
        "Jo Panel",
        "--role",
        "panel",
        "--district",
        "huntingdonshire",
    )

    assert code == 0, output
    (account,) = _accounts(app)
    assert (account.email, account.role, account.district_scope) == (
        "jo@example.org",
        "panel",
        "huntingdonshire",
    )
    password = _PASSWORD.search(output)
    assert password is not None
    assert output.count(password.group(1)) == 1
    assert sign_in(app.test_client(), "jo@example.org", password.group(1)).status_code == 303


def test_create_refuses_a_panel_member_without_a_district(app: Flask) -> None:
    code, output = _run(app, "create", "--email", "p@example.org", "--name", "P", "--role", "panel")
    assert code == 1
    assert "Select the district this panel member covers" in output
    assert _accounts(app) == []


def test_list_shows_everyone(app: Flask, make_user: MakeUser) -> None:
    analyst = make_user("analyst")
    make_user("outreach", active=False)
    code, output = _run(app, "list")
    assert code == 0
    lines = output.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].split("\t")[:3] == [analyst.email, analyst.name, "analyst"]
    assert "deactivated" in lines[1]


def test_reset_password_and_deactivate(app: Flask, make_user: MakeUser) -> None:
    user = make_user("analyst")

    code, output = _run(app, "reset-password", user.email)
    assert code == 0
    password = _PASSWORD.search(output)
    assert password is not None
    assert fetch_user(app, user.id).must_change_password

    assert _run(app, "deactivate", user.email) == (0, f"{user.email} can no longer sign in.\n")
    assert not fetch_user(app, user.id).active
    assert sign_in(app.test_client(), user.email, password.group(1)).status_code == 400

    code, output = _run(app, "reset-password", "nobody@example.org")
    assert code == 1
    assert "No staff account uses nobody@example.org" in output


def test_ensure_admin_creates_the_first_admin_only_once(app: Flask) -> None:
    code, output = _run(app, "ensure-admin")

    assert code == 0
    assert output.startswith("+---")
    assert "First admin account created" in output
    assert "admin@example.org" in output
    (admin,) = _accounts(app)
    assert admin.role == "admin"
    assert admin.must_change_password

    assert _run(app, "ensure-admin") == (0, "")
    assert len(_accounts(app)) == 1


def test_ensure_admin_says_nothing_when_accounts_exist(app: Flask, make_user: MakeUser) -> None:
    make_user("analyst")
    assert _run(app, "ensure-admin", "--email", "boss@example.org") == (0, "")
    assert [u.role for u in _accounts(app)] == ["analyst"]


def test_create_names_the_districts_when_one_is_unknown(app: Flask) -> None:
    code, output = _run(
        app,
        "create",
        "--email",
        "p@example.org",
        "--name",
        "P",
        "--role",
        "panel",
        "--district",
        "nowhere",
    )
    assert code == 1
    assert "Unknown district 'nowhere': use one of cambridge_city," in output
