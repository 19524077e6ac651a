"""Correcting a concern's theme where it was logged: the person's verdict is stored as a
label (who, when, the model's guess) that retraining learns from, and the change is audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select

from engage.errors import ConcernNotFound
from engage.extensions import db
from engage.models import AuditEvent, Concern, ThemeLabel, User
from engage.services.corrections import correct_themes
from tests.engage.outreach.conftest import (
    KeywordClassifier,
    MakeUser,
    SignIn,
    make_session,
    stored_concerns,
)
from tests.pages import Page


def log_one(client: FlaskClient, session_id: int, text: str) -> Concern:
    path = f"/staff/outreach/sessions/{session_id}/concerns"
    hidden = Page.of(client.get(path).data).hidden_fields()
    client.post(path, data={**hidden, "rows-0-text": text, "action": "save"})
    return stored_concerns(client.application)[-1]


@pytest.fixture
def session_id(app: Flask, worker: User) -> int:
    return make_session(app, worker)


@freeze_time("2025-03-20 10:00:00")
def test_the_worker_corrects_a_theme_on_the_session_page(
    app: Flask,
    sign_in: SignIn,
    worker: User,
    session_id: int,
    classified: KeywordClassifier,
) -> None:
    # Signed in under the frozen clock: a session signed later than "now" is refused.
    worker_client = sign_in(worker)
    concern = log_one(worker_client, session_id, "Bikes stolen from the station racks")
    assert (concern.theme, concern.needs_review) == ("cycle_theft", True)
    session_page = f"/staff/outreach/sessions/{session_id}"
    token = Page.of(worker_client.get(session_page).data).csrf_token()

    response = worker_client.post(
        f"/staff/outreach/concerns/{concern.id}/theme",
        data={"csrf_token": token, "theme": "vehicle_crime"},
    )

    assert response.status_code == 303
    assert response.location.endswith(f"{session_page}#concern-{concern.id}")
    (corrected,) = stored_concerns(app)
    assert (corrected.theme, corrected.needs_review) == ("vehicle_crime", False)
    assert [(t.theme, t.rank, t.source) for t in corrected.themes] == [
        ("vehicle_crime", 0, "staff")
    ]
    with app.app_context():
        label = db.session.scalars(select(ThemeLabel)).one()
        assert (label.concern_id, label.theme, label.labelled_by) == (
            concern.id,
            "vehicle_crime",
            worker.id,
        )
        assert (label.previous_theme, label.previous_confidence) == ("cycle_theft", 0.38)
        assert label.previous_model_version == "keyword-test-1"
        assert label.labelled_at == datetime(2025, 3, 20, 10, tzinfo=UTC)
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "concern")
        ).one()
        assert (event.action, event.user_id, event.object_id) == (
            "update",
            worker.id,
            str(concern.id),
        )
        assert event.detail["from"] == "cycle_theft"
        assert event.detail["to"] == "vehicle_crime"
    page = Page.of(worker_client.get(response.location).data)
    assert f"Theme of {concern.reference} changed to Vehicle crime" in page.text()
    assert "Vehicle crime (set by staff)" in page.text()


def test_a_theme_not_on_the_list_is_refused(
    app: Flask, worker_client: FlaskClient, session_id: int
) -> None:
    concern = log_one(worker_client, session_id, "Speeding on the bypass")
    token = Page.of(worker_client.get(f"/staff/outreach/sessions/{session_id}").data).csrf_token()
    response = worker_client.post(
        f"/staff/outreach/concerns/{concern.id}/theme",
        data={"csrf_token": token, "theme": "made_up"},
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(ThemeLabel)).all() == []


@pytest.mark.parametrize(("role", "status"), [("outreach", 404), ("analyst", 403), ("admin", 303)])
def test_only_the_sessions_owner_or_an_admin_corrects_its_concerns(
    app: Flask,
    worker_client: FlaskClient,
    session_id: int,
    sign_in: SignIn,
    make_user: MakeUser,
    role: str,
    status: int,
) -> None:
    concern = log_one(worker_client, session_id, "Speeding on the bypass")
    app.config["WTF_CSRF_ENABLED"] = False  # this test is about who, not about forgery
    client = sign_in(make_user(role))
    response = client.post(
        f"/staff/outreach/concerns/{concern.id}/theme", data={"theme": "parking"}
    )
    assert response.status_code == status
    (stored,) = stored_concerns(app)
    assert (stored.theme == "parking") is (status == 303)


def test_a_second_correction_still_remembers_the_models_guess(
    app: Flask,
    worker: User,
    session_id: int,
    worker_client: FlaskClient,
    classified: KeywordClassifier,
) -> None:
    concern = log_one(worker_client, session_id, "Speeding past the school")
    first = datetime(2025, 3, 20, 9, tzinfo=UTC)
    with app.app_context():
        correct_themes(db.session(), concern.id, "road_safety", ["parking"], worker.id, first)
        correct_themes(db.session(), concern.id, "parking", None, worker.id, first.replace(hour=10))
        labels = db.session.scalars(select(ThemeLabel).order_by(ThemeLabel.id)).all()
        assert [(x.theme, x.secondary_themes, x.previous_theme) for x in labels] == [
            ("road_safety", ["parking"], "speeding"),
            ("parking", [], "speeding"),
        ]
        assert labels[1].previous_confidence == 0.91
        stored = db.session.get(Concern, concern.id)
        assert stored is not None
        assert [(t.theme, t.rank) for t in stored.themes] == [("parking", 0)]


def test_secondary_themes_are_kept_unless_replaced(
    app: Flask,
    worker: User,
    session_id: int,
    worker_client: FlaskClient,
    classified: KeywordClassifier,
) -> None:
    concern = log_one(worker_client, session_id, "Speeding past the school")
    now = datetime(2025, 3, 20, 9, tzinfo=UTC)
    with app.app_context():
        correct_themes(db.session(), concern.id, "violence", None, worker.id, now)
        stored = db.session.get(Concern, concern.id)
        assert stored is not None
        assert [(t.theme, t.rank, t.source) for t in stored.themes] == [
            ("violence", 0, "staff"),
            ("road_safety", 1, "staff"),
        ]
        correct_themes(
            db.session(), concern.id, "road_safety", ["violence", "road_safety"], worker.id, now
        )
        db.session.expire_all()
        stored = db.session.get(Concern, concern.id)
        assert stored is not None
        assert [t.theme for t in stored.themes] == ["road_safety", "violence"]


def test_correcting_a_concern_that_does_not_exist_changes_nothing(app: Flask, worker: User) -> None:
    with app.app_context():
        with pytest.raises(ConcernNotFound):
            correct_themes(db.session(), 999, "parking", None, worker.id, datetime.now(UTC))
        assert db.session.scalars(select(ThemeLabel)).all() == []
