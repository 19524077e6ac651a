"""Helpers for the panel tests: a panel, concerns made directly, staff signed in, forms posted.

The clock is frozen on Friday 20 November 2026, so a pack's default evidence period is
1 August to 31 October 2026 and the period before it 1 May to 31 July 2026.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select
from werkzeug.test import TestResponse

from engage.extensions import db
from engage.models import AuditEvent, Concern, ConcernContact, Panel, User
from engage.reference_data import reference_data
from engage.services import panels as panel_service
from tests.factories import signed_in, staff_user
from tests.pages import Page

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MakeConcern = Callable[..., Concern]
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _frozen_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    # The app (and its database connection) first: psycopg's C extension must not be
    # loaded while freezegun stands in for the datetime types.
    if "app" in request.fixturenames:
        request.getfixturevalue("app")
    with freeze_time(NOW):
        yield


@pytest.fixture
def manager(app: Flask) -> User:
    with app.app_context():
        return staff_user(db.session(), role="commissioner_office")


@pytest.fixture
def as_manager(client: FlaskClient, manager: User) -> FlaskClient:
    return signed_in(client, manager)


@pytest.fixture
def panel(app: Flask) -> Panel:
    """The Wisbech neighbourhood panel in Fenland."""
    with app.app_context():
        created = panel_service.create_panel(
            db.session(), reference_data().areas, "fenland", "Wisbech", user_id=None, now=NOW
        )
        db.session.expunge(created)
        return created


def build_concern(**overrides: Any) -> Concern:
    contact = overrides.pop("contact", None)
    values: dict[str, Any] = {
        "reference": f"PP-PNL{next(_numbers):06d}",
        "text": "Cars racing along the High Street every night",
        "district": "fenland",
        "neighbourhood": "Wisbech",
        "place": "Wisbech",
        "channel": "web",
        "status": "triaged",
        "urgency": "routine",
        "theme": "speeding",
        "theme_confidence": 0.8,
        "submitted_at": datetime(2026, 10, 15, 12, 0, tzinfo=UTC),
    }
    values.update(overrides)
    values.setdefault("text_redacted", values["text"])
    concern = Concern(**values)
    if contact:
        concern.contact = ConcernContact(
            consent_to_contact=True,
            consent_wording_version="v1",
            consented_at=values["submitted_at"],
            **contact,
        )
    return concern


@pytest.fixture
def make_concerns(app: Flask) -> Callable[..., list[Concern]]:
    """``make_concerns(n, **overrides)``: n concerns, committed, all alike."""

    def make(count: int = 1, **overrides: Any) -> list[Concern]:
        with app.app_context():
            concerns = [build_concern(**overrides) for _ in range(count)]
            db.session.add_all(concerns)
            db.session.commit()
            for concern in concerns:
                db.session.refresh(concern)
                db.session.expunge(concern)
            return concerns

    return make


def post_from(
    client: FlaskClient, page_url: str, data: dict[str, Any], *, to: str | None = None
) -> TestResponse:
    """Open the page (for its CSRF token), then post ``data`` to it (or to ``to``)."""
    token = Page.of(client.get(page_url).data).csrf_token()
    return client.post(to or page_url, data={"csrf_token": token, **data})


def audit_events(app: Flask, object_type: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if object_type is not None:
            query = query.where(AuditEvent.object_type == object_type)
        events = list(db.session.scalars(query))
        db.session.expunge_all()
        return events
