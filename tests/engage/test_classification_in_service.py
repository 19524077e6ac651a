"""Every new concern is classified and redacted as it arrives, or later if the model is down."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from engage.classification import loader
from engage.extensions import db
from engage.models import ConcernTheme, StaleRollupDay
from engage.services.classification import classify_pending
from tests.conftest import make_test_app
from tests.engage.public.conftest import send_form
from tests.pages import Page
from tests.stored import stored_concerns as stored


@pytest.fixture
def classifying_app(database_url: str, model_dir: Path) -> Flask:
    return make_test_app(database_url, ENGAGE_MODEL_DIR=model_dir, ENGAGE_CLASSIFY_INLINE=True)


def test_a_web_concern_is_stored_with_its_theme_confidence_and_model_version(
    classifying_app: Flask,
) -> None:
    client = classifying_app.test_client()
    send_form(client, concern="cars doing 60 in a 30 mph zone", district="fenland")
    (concern,) = stored(classifying_app)

    assert concern.theme == "speeding"
    assert concern.theme_confidence is not None
    assert 0 < concern.theme_confidence <= 1
    assert concern.model_version
    assert concern.classified_at is not None
    assert concern.language == "en"
    assert concern.themes[0].theme == "speeding"
    assert concern.themes[0].rank == 0


def test_the_confirmation_says_what_we_understood_without_making_it_matter(
    classifying_app: Flask,
) -> None:
    client = classifying_app.test_client()
    send_form(client, concern="cars doing 60 in a 30 mph zone", district="fenland")
    (concern,) = stored(classifying_app)
    page = Page.of(client.get("/confirmation").data)

    if concern.needs_review:
        assert "We've noted this as" not in page.text()
    else:
        assert "We've noted this as: Speeding" in page.text()
        assert "it does not change what you told us" in page.text()


def test_the_redacted_copy_is_stored_beside_the_untouched_original(
    classifying_app: Flask,
) -> None:
    text = "Drug dealing outside 14 Mill Road, call me on 07700 900982"
    response = classifying_app.test_client().post(
        "/api/v1/concerns", json={"text": text, "district": "cambridge_city"}
    )
    (concern,) = stored(classifying_app)

    assert response.status_code == 201
    assert concern.text == text
    assert concern.text_redacted is not None
    assert "07700" not in concern.text_redacted
    assert "14 Mill Road" not in concern.text_redacted


def test_non_english_text_is_marked_for_translation_not_forced_into_a_theme(
    classifying_app: Flask,
) -> None:
    classifying_app.test_client().post(
        "/api/v1/concerns",
        json={
            "text": "Na naszej ulicy samochody jeżdżą bardzo szybko i nikt nic z tym nie robi",
            "district": "peterborough",
        },
    )
    (concern,) = stored(classifying_app)

    assert concern.needs_translation is True
    assert concern.needs_review is True
    assert concern.language == "pl"


def test_a_concern_is_kept_unclassified_when_the_model_cannot_load_then_classified_later(
    database_url: str, tmp_path: Path, model_dir: Path
) -> None:
    app = make_test_app(
        database_url, ENGAGE_MODEL_DIR=tmp_path / "no-models-here", ENGAGE_CLASSIFY_INLINE=True
    )
    response = app.test_client().post(
        "/api/v1/concerns",
        json={"text": "needles left in the play area", "district": "fenland"},
    )
    (concern,) = stored(app)
    assert response.status_code == 201
    assert concern.classified_at is None
    assert concern.theme is None
    assert concern.text_redacted == "needles left in the play area"

    from classifiers.service import ThemeClassifier

    with app.app_context():
        done = classify_pending(db.session(), ThemeClassifier.load(model_dir), loader().redactor())
    (concern,) = stored(app)
    assert done == 1
    assert concern.theme == "drugs"
    assert concern.classified_at is not None
    with app.app_context():
        themes = db.session.scalars(select(ConcernTheme.theme)).all()
        marked = db.session.scalars(select(StaleRollupDay.day)).all()
    assert themes[0] == "drugs"
    # Its day may already be rolled up under "not yet classified": the next run recounts it.
    assert marked == [concern.submitted_day]


def test_classify_pending_leaves_classified_concerns_alone(
    classifying_app: Flask, model_dir: Path
) -> None:
    classifying_app.test_client().post(
        "/api/v1/concerns", json={"text": "fly tipping down the lane", "district": "fenland"}
    )
    from classifiers.service import ThemeClassifier

    with classifying_app.app_context():
        done = classify_pending(db.session(), ThemeClassifier.load(model_dir), loader().redactor())
    assert done == 0
