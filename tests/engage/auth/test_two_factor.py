"""Two-factor authentication: optional for staff, required for admins, checked at sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time

from engage.auth.two_factor import current_code
from tests.engage.auth.conftest import MakeUser, audit_actions, fetch_user, sign_in, submit
from tests.factories import signed_in
from tests.pages import Page

NOW = datetime(2025, 5, 6, 10, 0, tzinfo=UTC)


def _key_on_page(client: FlaskClient) -> str:
    page = Page.of(client.get("/staff/two-factor").data)
    key = page.soup.select_one("#two-factor-key")
    assert key is not None
    return key.get_text(strip=True)


def test_an_admin_without_two_factor_must_set_it_up_before_anything_else(
    client: FlaskClient, make_user: MakeUser
) -> None:
    admin = make_user("admin", totp_secret=None)
    sign_in(client, admin.email)

    for path in ("/staff", "/staff/users"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == "/staff/two-factor"
    page = Page.of(client.get("/staff/two-factor").data)
    assert page.heading == "Set up two-factor authentication"
    assert "Admins must use two-factor authentication" in page.text()
    assert page.soup.select_one("figure svg path") is not None


def test_entering_the_app_code_turns_two_factor_on(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    admin = make_user("admin", totp_secret=None)
    with freeze_time(NOW):
        sign_in(client, admin.email)
        key = _key_on_page(client)
        assert _key_on_page(client) == key  # reloading keeps the same key

        wrong = submit(client, "/staff/two-factor", {"code": "000000"})
        assert Page.of(wrong.data).error_summary() == [
            ("The code is not right: enter the 6-digit code your app shows", "#code")
        ]
        response = submit(client, "/staff/two-factor", {"code": current_code(key, NOW)})

    assert response.status_code == 303
    assert response.headers["Location"] == "/staff"
    assert fetch_user(app, admin.id).totp_secret == key
    assert ("account_change", admin.id, {"change": "two_factor_on"}) in audit_actions(app)


def test_other_staff_may_choose_two_factor(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    analyst = make_user("analyst")
    with freeze_time(NOW):
        sign_in(client, analyst.email)
        assert client.get("/staff").status_code == 200
        key = _key_on_page(client)
        submit(
            client,
            "/staff/two-factor",
            {"code": f"{current_code(key, NOW)[:3]} {current_code(key, NOW)[3:]}"},
        )
        assert Page.of(client.get("/staff/two-factor").data).heading == (
            "Two-factor authentication is on"
        )
    assert fetch_user(app, analyst.id).totp_secret == key


def test_sign_in_asks_for_the_code_after_the_password(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    secret = pyotp.random_base32()
    admin = make_user("admin", totp_secret=secret)
    with freeze_time(NOW):
        response = sign_in(client, admin.email, path="/staff/sign-in?next=/staff/users")
        assert response.headers["Location"] == "/staff/sign-in/code"
        assert client.get("/staff").status_code == 302  # not signed in yet

        wrong = submit(client, "/staff/sign-in/code", {"code": "123456"})
        assert wrong.status_code == 400
        assert Page.of(wrong.data).title.startswith("Error: Enter your security code")

        response = submit(client, "/staff/sign-in/code", {"code": current_code(secret, NOW)})
    assert response.headers["Location"] == "/staff/users"
    assert ("sign_in", admin.id, {"method": "password_and_code"}) in audit_actions(app)


def test_the_code_from_30_seconds_ago_still_works_but_not_from_2_minutes_ago(
    client: FlaskClient, make_user: MakeUser
) -> None:
    secret = pyotp.random_base32()
    user = make_user("analyst", totp_secret=secret)
    with freeze_time(NOW):
        sign_in(client, user.email)
        stale = submit(
            client,
            "/staff/sign-in/code",
            {"code": current_code(secret, NOW - timedelta(minutes=2))},
        )
        assert stale.status_code == 400
        recent = submit(
            client,
            "/staff/sign-in/code",
            {"code": current_code(secret, NOW - timedelta(seconds=30))},
        )
        assert recent.status_code == 303


def test_five_wrong_codes_lock_the_account(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    secret = pyotp.random_base32()
    user = make_user("analyst", totp_secret=secret)
    with freeze_time(NOW):
        sign_in(client, user.email)
        for _ in range(4):
            assert submit(client, "/staff/sign-in/code", {"code": "000000"}).status_code == 400
        locked = submit(client, "/staff/sign-in/code", {"code": "000000"})
        assert locked.headers["Location"] == "/staff/sign-in"
        assert fetch_user(app, user.id).locked_until == NOW + timedelta(minutes=15)
        assert sign_in(client, user.email).status_code == 400


def test_the_code_page_gives_up_after_5_minutes(client: FlaskClient, make_user: MakeUser) -> None:
    secret = pyotp.random_base32()
    user = make_user("analyst", totp_secret=secret)
    with freeze_time(NOW) as clock:
        sign_in(client, user.email)
        clock.tick(timedelta(minutes=6))
        response = client.get("/staff/sign-in/code")
        assert response.headers["Location"] == "/staff/sign-in"
        page = Page.of(client.get("/staff/sign-in").data)
    assert "You took too long to enter the code" in page.text()


def test_the_code_page_without_a_password_first_goes_to_sign_in(client: FlaskClient) -> None:
    assert client.get("/staff/sign-in/code").headers["Location"] == "/staff/sign-in"


def test_an_admin_can_turn_off_two_factor_for_a_lost_phone(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    admin = make_user("admin")
    colleague = make_user("analyst", totp_secret=pyotp.random_base32())
    signed_in(client, admin)
    page = Page.of(client.get(f"/staff/users/{colleague.id}").data)
    token = page.csrf_token()
    response = client.post(
        f"/staff/users/{colleague.id}/remove-two-factor", data={"csrf_token": token}
    )
    assert response.headers["Location"] == "/staff/users"
    after = fetch_user(app, colleague.id)
    assert after.totp_secret is None
    assert after.session_token != colleague.session_token
