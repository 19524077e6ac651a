"""Sessions end: on sign-out, after a spell of doing nothing, after a working day, and when
the password changes. A one-time password must be changed before anything else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time

from tests.engage.auth.conftest import MakeUser, audit_actions, fetch_user, sign_in, submit
from tests.factories import STAFF_PASSWORD
from tests.pages import Page

NOW = datetime(2025, 5, 6, 9, 0, tzinfo=UTC)


def _sign_out(client: FlaskClient) -> None:
    token = Page.of(client.get("/staff").data).csrf_token()
    response = client.post("/staff/sign-out", data={"csrf_token": token})
    assert response.headers["Location"] == "/staff/sign-in"


def test_signing_out_ends_the_session_everywhere(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user()
    other_device = app.test_client()
    sign_in(client, user.email)
    sign_in(other_device, user.email)

    _sign_out(client)

    page = Page.of(client.get("/staff/sign-in").data)
    assert "You have signed out." in page.text()
    assert client.get("/staff").status_code == 302
    assert other_device.get("/staff").status_code == 302
    assert ("sign_out", user.id, {}) in audit_actions(app)


def test_sign_out_needs_the_form_token(client: FlaskClient, make_user: MakeUser) -> None:
    sign_in(client, make_user().email)
    assert client.post("/staff/sign-out").status_code == 400
    assert client.get("/staff").status_code == 200


def test_a_session_idle_longer_than_the_limit_ends(
    client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user()
    with freeze_time(NOW) as clock:
        sign_in(client, user.email)
        clock.tick(timedelta(minutes=29))
        assert client.get("/staff").status_code == 200
        clock.tick(timedelta(minutes=29))
        assert client.get("/staff").status_code == 200  # each request restarts the wait
        clock.tick(timedelta(minutes=31))
        response = client.get("/staff")
        assert response.headers["Location"] == "/staff/sign-in?next=/staff"
        page = Page.of(client.get("/staff/sign-in").data)
    assert "You were signed out because you had not done anything for a while." in page.text()


def test_a_session_ends_after_its_lifetime_even_when_busy(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user()
    lifetime = app.permanent_session_lifetime
    step = timedelta(minutes=20)
    with freeze_time(NOW) as clock:
        sign_in(client, user.email)
        for _ in range(int(lifetime / step) - 1):
            clock.tick(step)
            assert client.get("/staff").status_code == 200
        clock.tick(step + timedelta(minutes=1))  # just past the lifetime
        assert client.get("/staff").status_code == 302
        page = Page.of(client.get("/staff/sign-in").data)
    assert "your session reached its time limit" in page.text()


def test_a_one_time_password_must_be_changed_first(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user("analyst", must_change_password=True, name="Priya Shah")
    other_device = app.test_client()
    sign_in(other_device, user.email)
    sign_in(client, user.email)

    response = client.get("/staff")
    assert response.headers["Location"] == "/staff/change-password"
    page = Page.of(client.get("/staff/change-password").data)
    assert page.heading == "Change your password"
    assert "You signed in with a one-time password" in page.text()

    weak = submit(
        client,
        "/staff/change-password",
        {
            "current_password": STAFF_PASSWORD,
            "new_password": "priya2025priya",
            "confirm_password": "priya2025priya",
        },
    )
    assert weak.status_code == 400
    assert Page.of(weak.data).error_summary() == [
        ("Password must not contain your name or email address", "#new_password")
    ]

    response = submit(
        client,
        "/staff/change-password",
        {
            "current_password": STAFF_PASSWORD,
            "new_password": "kettle orbit lantern",
            "confirm_password": "kettle orbit lantern",
        },
    )
    assert response.headers["Location"] == "/staff"
    page = Page.of(client.get("/staff").data)
    assert "Your password has been changed." in page.text()
    assert not fetch_user(app, user.id).must_change_password
    assert other_device.get("/staff").status_code == 302  # other sessions ended
    assert sign_in(app.test_client(), user.email, "kettle orbit lantern").status_code == 303


def test_changing_password_explains_each_mistake(client: FlaskClient, make_user: MakeUser) -> None:
    sign_in(client, make_user().email)

    empty = Page.of(submit(client, "/staff/change-password", {}).data)
    assert empty.title.startswith("Error: Change your password")
    assert empty.error_summary() == [
        ("Enter your current password", "#current_password"),
        ("Enter a new password", "#new_password"),
        ("Enter your new password again", "#confirm_password"),
    ]
    mismatch = Page.of(
        submit(
            client,
            "/staff/change-password",
            {
                "current_password": STAFF_PASSWORD,
                "new_password": "kettle orbit lantern",
                "confirm_password": "kettle orbit lanterns",
            },
        ).data
    )
    assert mismatch.error_summary() == [
        ("The passwords do not match: enter the same new password twice", "#confirm_password")
    ]
    wrong_current = Page.of(
        submit(
            client,
            "/staff/change-password",
            {
                "current_password": "not my password",
                "new_password": "kettle orbit lantern",
                "confirm_password": "kettle orbit lantern",
            },
        ).data
    )
    assert wrong_current.error_summary() == [
        ("Your current password is not right", "#current_password")
    ]
    same = Page.of(
        submit(
            client,
            "/staff/change-password",
            {
                "current_password": STAFF_PASSWORD,
                "new_password": STAFF_PASSWORD,
                "confirm_password": STAFF_PASSWORD,
            },
        ).data
    )
    assert same.error_summary() == [
        ("Your new password must be different from your current one", "#new_password")
    ]


def test_signing_out_is_possible_before_changing_the_password(
    client: FlaskClient, make_user: MakeUser
) -> None:
    sign_in(client, make_user(must_change_password=True).email)
    token = Page.of(client.get("/staff/change-password").data).csrf_token()
    response = client.post("/staff/sign-out", data={"csrf_token": token})
    assert response.headers["Location"] == "/staff/sign-in"


def test_a_form_posted_after_the_session_ended_goes_to_sign_in_without_a_way_back(
    client: FlaskClient,
) -> None:
    token = Page.of(client.get("/staff/sign-in").data).csrf_token()
    response = client.post("/staff/change-password", data={"csrf_token": token})
    assert response.headers["Location"] == "/staff/sign-in"
