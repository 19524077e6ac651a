"""Concerns classified just after they are stored, in batches (ENGAGE_CLASSIFY_BATCH_SECONDS
above 0): the resident's answer never waits for the model, every concern still gets its
themes, and nothing acknowledged depends on the batch."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers.service import Classification
from engage.classification import batches, loader
from engage.classification_batches import ClassificationBatcher, Queued
from engage.extensions import db
from engage.models import Concern, StaleRollupDay
from engage.services.classification import classify_pending, record_classifications
from engage.settings import ConfigurationError, Test
from tests.conftest import make_test_app
from tests.engage.public.conftest import send_form
from tests.jobs.conftest import add_concerns, concern
from tests.pages import Page
from tests.stored import stored_concerns as stored

SPEEDING = Classification(
    theme="speeding",
    confidence=0.9,
    secondary=(("antisocial_driving", 0.3),),
    needs_review=False,
    language="en",
    needs_translation=False,
    model_version="test-model-1",
)


class Recorder:
    """Stands in for the model and the database, and says which batches it saw."""

    def __init__(self, *, model: bool = True, fail_first: bool = False) -> None:
        self.model = model
        self.fail_first = fail_first
        self.batches: list[list[int]] = []
        self.release = threading.Event()
        self.release.set()

    def classify_many(self, texts: Sequence[str]) -> list[Classification] | None:
        self.release.wait(5)
        return [SPEEDING for _ in texts] if self.model else None

    def record(self, batch: Sequence[Queued], results: list[Classification]) -> None:
        if self.fail_first and not self.batches:
            self.batches.append([])
            raise RuntimeError("database is locked")
        self.batches.append([item.concern_id for item in batch])


def batcher_for(recorder: Recorder, linger: float = 0.05, **options: Any) -> ClassificationBatcher:
    return ClassificationBatcher(recorder.classify_many, recorder.record, linger=linger, **options)


def test_what_arrives_within_the_pause_is_classified_in_one_batch() -> None:
    recorder = Recorder()
    batcher = batcher_for(recorder, linger=0.3)
    for concern_id in (1, 2, 3):
        batcher.submit(concern_id, "cars racing")

    assert batcher.wait_idle()
    assert recorder.batches == [[1, 2, 3]]
    batcher.stop()


def test_a_batch_is_never_bigger_than_the_limit() -> None:
    recorder = Recorder()
    recorder.release.clear()
    batcher = batcher_for(recorder, linger=0.2, max_batch=2)
    for concern_id in range(1, 6):
        batcher.submit(concern_id, "cars racing")
    recorder.release.set()

    assert batcher.wait_idle()
    assert [len(batch) for batch in recorder.batches] == [2, 2, 1]
    assert sorted(i for batch in recorder.batches for i in batch) == [1, 2, 3, 4, 5]
    batcher.stop()


def test_without_a_model_the_batch_is_left_for_classify_pending(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder(model=False)
    batcher = batcher_for(recorder)
    batcher.submit(1, "cars racing")

    with caplog.at_level(logging.WARNING):
        assert batcher.wait_idle()
    assert recorder.batches == []
    assert "left for classify-pending" in caplog.text
    batcher.stop()


def test_a_batch_that_fails_is_logged_and_the_next_one_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder(fail_first=True)
    batcher = batcher_for(recorder)
    with caplog.at_level(logging.ERROR):
        batcher.submit(1, "cars racing")
        assert batcher.wait_idle()
        batcher.submit(2, "cars racing")
        assert batcher.wait_idle()

    assert recorder.batches == [[], [2]]
    assert "1 concern(s) left for classify-pending" in caplog.text
    batcher.stop()


def test_stopping_finishes_the_queue_first() -> None:
    recorder = Recorder()
    batcher = batcher_for(recorder, linger=30)
    batcher.submit(1, "cars racing")
    batcher.submit(2, "cars racing")

    batcher.stop(timeout=5)

    assert recorder.batches == [[1, 2]]


def test_a_pause_of_zero_is_not_a_batcher() -> None:
    with pytest.raises(ValueError, match="classify inline"):
        batcher_for(Recorder(), linger=0)


@pytest.mark.parametrize("value", ["soon", "-1", "61", "nan"])
def test_a_pause_that_is_not_seconds_from_0_to_60_stops_start_up(
    value: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ENGAGE_CLASSIFY_BATCH_SECONDS", value)
    with pytest.raises(ConfigurationError, match="ENGAGE_CLASSIFY_BATCH_SECONDS"):
        Test.finalise(tmp_path)


@pytest.fixture
def batching_app(database_url: str, model_dir: Path) -> Flask:
    return make_test_app(
        database_url,
        ENGAGE_MODEL_DIR=model_dir,
        ENGAGE_CLASSIFY_INLINE=True,
        ENGAGE_CLASSIFY_BATCH_SECONDS=0.05,
    )


def finish_batches(app: Flask) -> None:
    with app.app_context():
        batcher = batches()
        assert batcher is not None
        assert batcher.wait_idle()


def test_the_api_answers_before_the_model_and_the_themes_follow(batching_app: Flask) -> None:
    client = batching_app.test_client()
    response = client.post(
        "/api/v1/concerns", json={"text": "cars doing 60 in a 30 mph zone", "district": "fenland"}
    )
    assert response.status_code == 201
    finish_batches(batching_app)

    (stored_concern,) = stored(batching_app)
    assert stored_concern.theme == "speeding"
    assert stored_concern.model_version
    assert stored_concern.classified_at is not None
    assert stored_concern.themes[0].theme == "speeding"
    assert stored_concern.text_redacted is not None
    status = client.get(response.headers["Location"]).get_json()
    expected = None if stored_concern.needs_review else "speeding"
    assert status["theme"] == expected


def test_the_confirmation_page_tells_the_theme_once_the_batch_is_done(
    batching_app: Flask,
) -> None:
    client = batching_app.test_client()
    send_form(client, concern="cars doing 60 in a 30 mph zone", district="fenland")
    finish_batches(batching_app)
    (stored_concern,) = stored(batching_app)

    page = Page.of(client.get("/confirmation").data)

    if stored_concern.needs_review:
        assert "We've noted this as" not in page.text()
    else:
        assert "We've noted this as: Speeding" in page.text()


def test_with_the_model_down_the_concern_waits_for_classify_pending(
    database_url: str, tmp_path: Path, model_dir: Path
) -> None:
    app = make_test_app(
        database_url,
        ENGAGE_MODEL_DIR=tmp_path / "no-models-here",
        ENGAGE_CLASSIFY_INLINE=True,
        ENGAGE_CLASSIFY_BATCH_SECONDS=0.05,
    )
    response = app.test_client().post(
        "/api/v1/concerns", json={"text": "needles left in the play area", "district": "fenland"}
    )
    assert response.status_code == 201
    finish_batches(app)
    (waiting,) = stored(app)
    assert waiting.classified_at is None
    assert waiting.text_redacted is not None

    from classifiers.service import ThemeClassifier

    with app.app_context():
        done = classify_pending(db.session(), ThemeClassifier.load(model_dir), loader().redactor())
    assert done == 1
    (classified,) = stored(app)
    assert classified.classified_at is not None


def recorded(app: Flask, concerns: list[Concern], when: datetime) -> int:
    with app.app_context(), Session(db.engine) as session:
        return record_classifications(session, [(c.id, SPEEDING) for c in concerns], when)


def test_a_theme_staff_gave_before_the_batch_ran_is_kept(app: Flask) -> None:
    with app.app_context():
        (waiting,) = add_concerns(db.session(), [concern(theme="drugs", classified_at=None)])

    assert recorded(app, [waiting], datetime(2026, 11, 18, 12, 1, tzinfo=UTC)) == 0
    (kept,) = stored(app)
    assert (kept.theme, kept.classified_at) == ("drugs", None)


def test_a_concern_of_an_earlier_day_marks_that_day_for_the_rollups(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        yesterday, today = add_concerns(
            session,
            [
                concern(theme=None, submitted_at=datetime(2026, 11, 17, 23, 59, tzinfo=UTC)),
                concern(theme=None, submitted_at=datetime(2026, 11, 18, 9, 0, tzinfo=UTC)),
            ],
        )

    assert recorded(app, [yesterday, today], datetime(2026, 11, 18, 12, 0, tzinfo=UTC)) == 2
    with app.app_context():
        marked = db.session().scalars(select(StaleRollupDay.day)).all()
    assert marked == [date(2026, 11, 17)]
    assert {c.theme for c in stored(app)} == {"speeding"}
