"""Helpers for the triage tests: concerns made directly, staff signed in, forms posted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from engage.extensions import db
from engage.models import AuditEvent, Concern, ConcernContact, ConcernTheme, User
from engage.references import new_reference
from tests.factories import signed_in, staff_user
from tests.pages import Page

MakeConcern = Callable[..., Concern]
MakeUser = Callable[..., User]
# A Wednesday: its ISO week runs from Monday 16 to Sunday 22 November 2026.
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def build_concern(**overrides: Any) -> Concern:
    theme = overrides.pop("theme", "speeding")
    confidence = overrides.pop("theme_confidence", 0.9)
    secondary = overrides.pop("secondary", [])
    contact = overrides.pop("contact", None)
    values: dict[str, Any] = {
        "reference": new_reference(),
        "text": "Cars racing along the High Street every night",
        "district": "fenland",
        "neighbourhood": "Wisbech",
        "place": "Wisbech",
        "channel": "web",
        "status": "new",
        "urgency": "routine",
        "submitted_at": WEDNESDAY,
        "needs_review": False,
        "needs_translation": False,
        "classified_at": WEDNESDAY,
        "model_version": "test-model-1",
        "language": "en",
    }
    values.update(overrides)
    values.setdefault("text_redacted", values["text"])
    concern = Concern(**values, theme=theme, theme_confidence=confidence if theme else None)
    if theme:
        concern.themes.append(ConcernTheme(theme=theme, rank=0, confidence=confidence))
    for rank, other in enumerate(secondary, start=1):
        concern.themes.append(ConcernTheme(theme=other, rank=rank, confidence=0.4))
    if contact:
        concern.contact = ConcernContact(
            consent_to_contact=True,
            consent_wording_version="v1",
            consented_at=values["submitted_at"],
            **contact,
        )
    return concern


@pytest.fixture
def make_concern(app: Flask) -> MakeConcern:
    def make(**overrides: Any) -> Concern:
        with app.app_context():
            concern = build_concern(**overrides)
            db.session.add(concern)
            db.session.commit()
            db.session.refresh(concern)
            _ = concern.themes, concern.contact
            db.session.expunge(concern)
            return concern

    return make


@pytest.fixture
def make_user(app: Flask) -> MakeUser:
    def make(role: str = "analyst", **overrides: Any) -> User:
        with app.app_context():
            return staff_user(db.session(), role=role, **overrides)

    return make


@pytest.fixture
def analyst(make_user: MakeUser) -> User:
    return make_user("analyst")


@pytest.fixture
def as_analyst(client: FlaskClient, analyst: User) -> FlaskClient:
    return signed_in(client, analyst)


def as_role(client: FlaskClient, make_user: MakeUser, role: str, **overrides: Any) -> FlaskClient:
    return signed_in(client, make_user(role, **overrides))


def post_from(
    client: FlaskClient, page_path: str, action: str, data: dict[str, Any]
) -> TestResponse:
    """Open the page, then post one of its forms (chosen by action URL) with its CSRF token."""
    page = Page.of(client.get(page_path).data)
    form = page.soup.select_one(f'form[action="{action}"]')
    assert form is not None, f"no form posting to {action} on {page_path}"
    return client.post(action, data={"csrf_token": page.csrf_token(), **data})


def fetch(app: Flask, concern_id: int) -> Concern:
    with app.app_context():
        concern = db.session.get(Concern, concern_id)
        assert concern is not None
        _ = concern.themes, concern.contact
        db.session.expunge(concern)
        return concern


def audit_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        db.session.expunge_all()
        return events
