"""Fixtures for the outreach pages: staff of each role, a signed-in client, a stand-in model.

The stand-in classifier decides themes from a keyword, so tests can say which theme a
concern gets without training the real model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from classifiers.service import Classification
from engage.extensions import db
from engage.models import Concern, OutreachSession, User
from tests.factories import signed_in, staff_user
from tests.pages import Page

MakeUser = Callable[..., User]
SignIn = Callable[[User], FlaskClient]


class KeywordClassifier:
    """Speeding when the text says "speed", cycle theft (unsure) for "bike", else other."""

    version = "keyword-test-1"

    def classify(self, text: str) -> Classification:
        lowered = text.lower()
        if "speed" in lowered:
            return self._result("speeding", 0.91, secondary=(("road_safety", 0.4),))
        if "bike" in lowered:
            return self._result("cycle_theft", 0.38, review=True)
        return self._result("other", 0.72)

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        return [self.classify(text) for text in texts]

    def _result(
        self,
        theme: str,
        confidence: float,
        *,
        secondary: tuple[tuple[str, float], ...] = (),
        review: bool = False,
    ) -> Classification:
        return Classification(
            theme=theme,
            confidence=confidence,
            secondary=secondary,
            needs_review=review,
            language="en",
            needs_translation=False,
            model_version=self.version,
        )


@pytest.fixture
def classified(app: Flask) -> KeywordClassifier:
    """Classify on save with the keyword classifier in place of the trained model."""
    model = KeywordClassifier()
    app.config["ENGAGE_CLASSIFY_INLINE"] = True
    app.extensions["engage.classifier"]._classifier = model
    return model


@pytest.fixture(autouse=True)
def uploads(app: Flask, tmp_path: Path) -> Path:
    folder = tmp_path / "uploads"
    app.config["ENGAGE_UPLOAD_DIR"] = folder
    return folder


@pytest.fixture
def make_user(app: Flask) -> MakeUser:
    def make(role: str = "outreach", **overrides: Any) -> User:
        with app.app_context():
            return staff_user(db.session(), role=role, **overrides)

    return make


@pytest.fixture
def worker(make_user: MakeUser) -> User:
    return make_user("outreach", name="Olu Outreach")


@pytest.fixture
def sign_in(app: Flask) -> SignIn:
    """A fresh client signed in as the given person (one client per person)."""
    return lambda user: signed_in(app.test_client(), user)


@pytest.fixture
def worker_client(sign_in: SignIn, worker: User) -> FlaskClient:
    return sign_in(worker)


def make_session(app: Flask, owner: User, **overrides: Any) -> int:
    values: dict[str, Any] = {
        "kind": "street_briefing",
        "held_on": date(2025, 3, 14),
        "district": "fenland",
        "venue": "Market Place, March",
        "people_spoken_to": 40,
        "notes": None,
        "created_by": owner.id,
        "created_at": datetime(2025, 3, 14, 12, tzinfo=UTC),
        "updated_at": datetime(2025, 3, 14, 12, tzinfo=UTC),
    }
    values.update(overrides)
    with app.app_context():
        found = OutreachSession(**values)
        db.session.add(found)
        db.session.commit()
        return found.id


def submit(client: FlaskClient, path: str, data: dict[str, Any], **kwargs: Any) -> TestResponse:
    """Open the page, then post to its first post form with the page's CSRF token."""
    page = Page.of(client.get(path).data)
    form = page.soup.select_one("form[method=post]")
    assert form is not None, f"no form on {path}"
    action = str(form.get("action") or path)
    return client.post(action, data={"csrf_token": page.csrf_token(), **data}, **kwargs)


def stored_concerns(app: Flask) -> list[Concern]:
    with app.app_context():
        concerns = list(db.session.scalars(select(Concern).order_by(Concern.id)))
        for concern in concerns:
            _ = concern.contact, concern.themes
        db.session.expunge_all()
        return concerns


def count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)
