"""Helpers for the staff account tests: make accounts, fill in forms as a person would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from engage.auth import passwords
from engage.extensions import db
from engage.models import AuditEvent, User
from tests.factories import STAFF_PASSWORD, staff_user
from tests.pages import Page

MakeUser = Callable[..., User]


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with tiny costs: these tests sign in often; test_passwords checks the real costs."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    dummy = cheap.hash("not anyone's password")
    monkeypatch.setattr(passwords, "_dummy_hash", lambda: dummy)


@pytest.fixture
def make_user(app: Flask) -> MakeUser:
    def make(role: str = "analyst", **overrides: Any) -> User:
        with app.app_context():
            return staff_user(db.session(), role=role, **overrides)

    return make


def submit(
    client: FlaskClient, page_path: str, data: dict[str, str], **kwargs: Any
) -> TestResponse:
    """Open the page, then post its form (to the form's own action) with the CSRF token."""
    page = Page.of(client.get(page_path).data)
    form = page.soup.select_one("form[method=post]")
    assert form is not None, f"no form on {page_path}"
    action = str(form.get("action") or page_path)
    return client.post(action, data={"csrf_token": page.csrf_token(), **data}, **kwargs)


def sign_in(
    client: FlaskClient, email: str, password: str = STAFF_PASSWORD, path: str = "/staff/sign-in"
) -> TestResponse:
    return submit(client, path, {"email": email, "password": password})


def fetch_user(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        db.session.expunge(user)
        return user


def audit_actions(app: Flask) -> list[tuple[str, int | None, dict[str, Any]]]:
    with app.app_context():
        return [
            (e.action, e.user_id, dict(e.detail or {}))
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
