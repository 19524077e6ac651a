"""Staff sign in with an email address and password; wrong tries lock the account a while."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time

from tests.engage.auth.conftest import MakeUser, audit_actions, fetch_user, sign_in, submit
from tests.pages import Page

REFUSED = (
    "The email address or password is not right. After 5 wrong tries you must wait "
    "15 minutes before trying again"
)


def test_a_staff_page_sends_a_stranger_to_sign_in_and_back_afterwards(
    client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user("analyst")

    response = client.get("/staff")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/sign-in?next=/staff"

    response = sign_in(client, user.email, path=response.headers["Location"])
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff"
    page = Page.of(client.get("/staff").data)
    assert page.heading == "Staff home"
    assert f"Signed in as {user.name} (analyst)" in page.text()


def test_signing_in_is_recorded_with_the_time(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user("outreach")
    with freeze_time("2025-03-04 09:30:00"):
        sign_in(client, user.email.upper())

    assert fetch_user(app, user.id).last_login_at == datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    assert ("sign_in", user.id, {"method": "password"}) in audit_actions(app)


def test_a_next_address_on_another_site_is_ignored(
    client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = sign_in(client, user.email, path=f"/staff/sign-in?next={target}")
        assert response.headers["Location"] == "/staff", target
        client.post("/staff/sign-out", data={"csrf_token": _token(client)})


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user()

    wrong = sign_in(client, user.email, "not the right password")
    unknown = sign_in(client, "nobody@example.org", "not the right password")

    for response in (wrong, unknown):
        page = Page.of(response.data)
        assert response.status_code == 400
        assert page.title.startswith("Error: Sign in")
        assert page.error_summary() == [(REFUSED, "#email")]
        assert page.field_error("email") == REFUSED
        assert page.value("password") == ""
    assert Page.of(wrong.data).value("email") == user.email
    failures = [(a, u, d["reason"]) for a, u, d in audit_actions(app) if a == "sign_in_failed"]
    assert failures == [
        ("sign_in_failed", user.id, "password"),
        ("sign_in_failed", None, "unknown_account"),
    ]


def test_empty_fields_say_what_to_enter(client: FlaskClient) -> None:
    page = Page.of(sign_in(client, "", "").data)
    assert page.error_summary() == [
        ("Enter your email address", "#email"),
        ("Enter your password", "#password"),
    ]


def test_five_wrong_passwords_lock_the_account_for_15_minutes(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user()
    start = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    with freeze_time(start) as clock:
        for _ in range(5):
            sign_in(client, user.email, "a wrong password")
        assert fetch_user(app, user.id).locked_until == start + timedelta(minutes=15)

        clock.tick(timedelta(minutes=14))
        refused = sign_in(client, user.email)
        assert refused.status_code == 400
        assert Page.of(refused.data).error_summary() == [(REFUSED, "#email")]

        clock.tick(timedelta(minutes=2))
        assert sign_in(client, user.email).status_code == 303
    assert fetch_user(app, user.id).failed_logins == 0
    assert "locked" in {d.get("reason") for _, _, d in audit_actions(app)}


def test_a_right_password_resets_the_count_of_wrong_ones(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user()
    for _ in range(4):
        sign_in(client, user.email, "a wrong password")
    assert fetch_user(app, user.id).failed_logins == 4
    sign_in(client, user.email)
    assert fetch_user(app, user.id).failed_logins == 0


def test_a_deactivated_account_cannot_sign_in(client: FlaskClient, make_user: MakeUser) -> None:
    user = make_user(active=False)
    response = sign_in(client, user.email)
    assert response.status_code == 400
    assert Page.of(response.data).error_summary() == [(REFUSED, "#email")]


def test_too_many_tries_from_one_address_are_throttled(
    client: FlaskClient, make_user: MakeUser
) -> None:
    token = Page.of(client.get("/staff/sign-in").data).csrf_token()
    answers = {"csrf_token": token, "email": "someone@example.org", "password": "guess"}
    statuses = [client.post("/staff/sign-in", data=answers).status_code for _ in range(11)]

    assert statuses == [400] * 10 + [429]
    refused = client.post("/staff/sign-in", data=answers)
    assert Page.of(refused.data).heading == "Too many attempts"
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_signing_in_starts_a_new_session(client: FlaskClient, make_user: MakeUser) -> None:
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"

    sign_in(client, user.email)

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.permanent
        assert session["_user_id"] == user.session_token


def test_a_signed_in_person_opening_sign_in_goes_to_the_staff_home(
    client: FlaskClient, make_user: MakeUser
) -> None:
    sign_in(client, make_user().email)
    assert client.get("/staff/sign-in").headers["Location"] == "/staff"


def _token(client: FlaskClient) -> str:
    return Page.of(client.get("/staff").data).csrf_token()


def test_submit_helper_posts_to_the_form_action(client: FlaskClient) -> None:
    assert submit(client, "/staff/sign-in", {"email": "", "password": ""}).status_code == 400
