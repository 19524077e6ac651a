"""Admins add staff, reset passwords, change roles and panel areas, and deactivate accounts."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engage.models import User
from tests.engage.auth.conftest import MakeUser, audit_actions, fetch_user, sign_in, submit
from tests.factories import signed_in
from tests.pages import Page


@pytest.fixture
def admin(client: FlaskClient, make_user: MakeUser) -> User:
    user = make_user("admin", name="Alex Admin")
    signed_in(client, user)
    return user


def _one_time_password(html: bytes) -> str:
    node = Page.of(html).soup.select_one(".engage-one-time-password")
    assert node is not None
    return node.get_text(strip=True)


def _press(client: FlaskClient, user_id: int, action: str) -> object:
    token = Page.of(client.get(f"/staff/users/{user_id}").data).csrf_token()
    return client.post(f"/staff/users/{user_id}/{action}", data={"csrf_token": token})


def test_an_admin_adds_an_account_and_sees_its_one_time_password_once(
    app: Flask, client: FlaskClient, admin: User
) -> None:
    response = submit(
        client,
        "/staff/users/new",
        {"name": " Sam  Okafor ", "email": "Sam.Okafor@Example.org", "role": "outreach"},
    )

    assert response.status_code == 200
    page = Page.of(response.data)
    assert "Account added" in page.text()
    assert "This is the only time this password is shown" in page.text()
    password = _one_time_password(response.data)
    listing = Page.of(client.get("/staff/users").data)
    assert "sam.okafor@example.org" in listing.text()
    assert password not in listing.text()

    newcomer = app.test_client()
    assert sign_in(newcomer, "sam.okafor@example.org", password).status_code == 303
    assert newcomer.get("/staff").headers["Location"] == "/staff/change-password"
    created = [d for a, u, d in audit_actions(app) if a == "account_change" and u == admin.id]
    assert created == [{"change": "created", "role": "outreach", "district": None}]


def test_the_new_account_form_explains_each_mistake(
    client: FlaskClient, admin: User, make_user: MakeUser
) -> None:
    page = Page.of(submit(client, "/staff/users/new", {}).data)
    assert page.title.startswith("Error: Add a staff account")
    assert page.error_summary() == [
        ("Enter the person's full name", "#name"),
        ("Enter the person's email address", "#email"),
        ("Select a role", "#role"),
    ]
    page = Page.of(
        submit(
            client,
            "/staff/users/new",
            {"name": "Pat", "email": "not-an-email", "role": "panel"},
        ).data
    )
    assert page.error_summary() == [
        ("Enter an email address in the correct format, like name@example.org", "#email"),
        ("Select the district this panel member covers", "#district"),
    ]
    assert page.value("name") == "Pat"

    taken = make_user("analyst", email="taken@example.org")
    page = Page.of(
        submit(
            client,
            "/staff/users/new",
            {"name": "Pat", "email": taken.email.upper(), "role": "analyst"},
        ).data
    )
    assert page.error_summary() == [("An account already uses this email address", "#email")]


def test_a_panel_member_is_scoped_to_a_district_and_maybe_a_neighbourhood(
    app: Flask, client: FlaskClient, admin: User
) -> None:
    wrong = submit(
        client,
        "/staff/users/new",
        {
            "name": "Pat Panel",
            "email": "pat@example.org",
            "role": "panel",
            "district": "fenland",
            "neighbourhood": "Arbury",
        },
    )
    assert Page.of(wrong.data).error_summary() == [
        (
            "Enter a neighbourhood of Fenland, or leave it empty for the whole district",
            "#neighbourhood",
        )
    ]
    submit(
        client,
        "/staff/users/new",
        {
            "name": "Pat Panel",
            "email": "pat@example.org",
            "role": "panel",
            "district": "cambridge_city",
            "neighbourhood": "arbury",
        },
    )
    listing = Page.of(client.get("/staff/users").data).text()
    assert "Panel: Cambridge City, Arbury" in listing


def test_an_analyst_does_not_keep_a_panel_area(client: FlaskClient, admin: User) -> None:
    submit(
        client,
        "/staff/users/new",
        {"name": "Ana Lyst", "email": "ana@example.org", "role": "analyst", "district": "fenland"},
    )
    assert "Analyst: Fenland" not in Page.of(client.get("/staff/users").data).text()


def test_resetting_a_password_ends_their_sessions_and_old_password(
    app: Flask, client: FlaskClient, admin: User, make_user: MakeUser
) -> None:
    colleague = make_user("analyst")
    their_browser = app.test_client()
    sign_in(their_browser, colleague.email)

    response = _press(client, colleague.id, "reset-password")

    password = _one_time_password(response.data)  # type: ignore[attr-defined]
    assert "Password reset" in Page.of(response.data).text()  # type: ignore[attr-defined]
    assert their_browser.get("/staff").status_code == 302
    assert sign_in(app.test_client(), colleague.email).status_code == 400
    assert sign_in(app.test_client(), colleague.email, password).status_code == 303
    assert fetch_user(app, colleague.id).must_change_password


def test_a_deactivated_account_is_signed_out_and_can_be_reactivated(
    app: Flask, client: FlaskClient, admin: User, make_user: MakeUser
) -> None:
    colleague = make_user("outreach")
    their_browser = app.test_client()
    sign_in(their_browser, colleague.email)

    response = _press(client, colleague.id, "deactivate")
    assert response.headers["Location"] == "/staff/users"  # type: ignore[attr-defined]
    assert (
        f"{colleague.name} can no longer sign in."
        in Page.of(client.get("/staff/users").data).text()
    )
    assert their_browser.get("/staff").status_code == 302
    assert sign_in(app.test_client(), colleague.email).status_code == 400

    _press(client, colleague.id, "reactivate")
    assert sign_in(app.test_client(), colleague.email).status_code == 303
    changes = [d["change"] for a, _, d in audit_actions(app) if a == "account_change"]
    assert changes == ["deactivated", "reactivated"]


def test_the_only_admin_cannot_be_removed(
    app: Flask, client: FlaskClient, admin: User, make_user: MakeUser
) -> None:
    page = Page.of(client.get(f"/staff/users/{admin.id}").data)
    assert "Deactivate account" not in page.text()  # not offered for yourself

    form = {"role": "analyst", "district": "", "neighbourhood": ""}
    response = submit(client, f"/staff/users/{admin.id}", form)
    assert response.status_code == 400
    assert Page.of(response.data).error_summary() == [
        (
            "You cannot change the role of the only active admin: add another admin first",
            "#role",
        )
    ]
    assert fetch_user(app, admin.id).role == "admin"


def test_an_admin_changes_a_role_and_panel_area(
    app: Flask, client: FlaskClient, admin: User, make_user: MakeUser
) -> None:
    colleague = make_user("analyst")
    response = submit(
        client,
        f"/staff/users/{colleague.id}",
        {"role": "panel", "district": "peterborough", "neighbourhood": ""},
    )
    assert response.headers["Location"] == "/staff/users"
    changed = fetch_user(app, colleague.id)
    assert (changed.role, changed.district_scope, changed.neighbourhood_scope) == (
        "panel",
        "peterborough",
        None,
    )
    page = Page.of(client.get(f"/staff/users/{colleague.id}").data)
    assert page.value("role") == "panel"


def test_an_unknown_account_is_not_found(client: FlaskClient, admin: User) -> None:
    assert client.get("/staff/users/999999").status_code == 404


@pytest.mark.parametrize("role", ["outreach", "analyst", "panel", "commissioner_office"])
def test_only_admins_manage_accounts(client: FlaskClient, make_user: MakeUser, role: str) -> None:
    signed_in(client, make_user(role))
    assert client.get("/staff/users").status_code == 403
    assert client.get("/staff/users/new").status_code == 403
    page = Page.of(client.get("/staff").data)
    assert "Staff accounts" not in page.text()
