"""Each server worker loads the redactor and theme model before it takes a request, so the
first resident a worker serves does not wait for them."""

from __future__ import annotations

import json
import runpy
import shutil
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask

from classifiers.service import ThemeClassifier
from engage.classification import warm_up
from engage.server import warm_up_worker
from tests.conftest import make_test_app
from tests.engage.public.conftest import send_form
from tests.robustness.conftest import fresh_sqlite_url
from tests.robustness.processes import ROOT, Gunicorn, exchange, production_env
from tests.stored import stored_concerns as stored

CONCERN = "cars doing 60 in a 30 mph zone past the school"


def classifying_app(database_url: str, model_dir: Path, *, inline: bool = True) -> Flask:
    return make_test_app(database_url, ENGAGE_MODEL_DIR=model_dir, ENGAGE_CLASSIFY_INLINE=inline)


def test_after_warming_up_the_model_is_in_memory_before_the_first_concern(
    database_url: str, model_dir: Path
) -> None:
    app = classifying_app(database_url, model_dir)

    warm_up(app)
    shutil.rmtree(model_dir)  # proves nothing is read from disk on the first submission
    send_form(app.test_client(), concern=CONCERN, district="fenland")

    (concern,) = stored(app)
    assert concern.theme == "speeding"
    assert concern.model_version is not None


def test_without_warming_up_the_first_concern_is_what_loads_the_model(
    database_url: str, model_dir: Path
) -> None:
    app = classifying_app(database_url, model_dir)

    shutil.rmtree(model_dir)
    send_form(app.test_client(), concern=CONCERN, district="fenland")

    (concern,) = stored(app)
    assert concern.theme is None


def test_no_model_is_loaded_when_concerns_are_not_classified(
    database_url: str, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[Path] = []
    monkeypatch.setattr(ThemeClassifier, "load", classmethod(lambda cls, path: loads.append(path)))

    warm_up(classifying_app(database_url, model_dir, inline=False))

    assert loads == []


def test_a_missing_model_never_stops_a_worker_from_serving(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = classifying_app(database_url, tmp_path / "no-models")

    warm_up_worker(SimpleNamespace(wsgi=app, notify=lambda: None))
    answer = send_form(app.test_client(), concern=CONCERN, district="fenland")

    assert answer.status_code == 303
    assert "Theme model unavailable" in caplog.text
    assert [concern.theme for concern in stored(app)] == [None]


def test_the_production_settings_warm_up_each_worker() -> None:
    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))

    assert settings["post_worker_init"] is warm_up_worker


@pytest.mark.slow
def test_engage_serve_classifies_its_first_concern_with_a_model_loaded_at_start(
    tmp_path: Path, model_dir: Path
) -> None:
    database_url = fresh_sqlite_url(tmp_path)
    env = production_env(
        database_url,
        tmp_path,
        ENGAGE_CLASSIFY_INLINE="1",
        ENGAGE_CLASSIFY_BATCH_SECONDS="0",
        ENGAGE_MODEL_DIR=str(model_dir),
    )
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=1, threads=1)
    server.start()
    try:
        shutil.rmtree(model_dir)
        answer = exchange(
            server.url,
            "POST",
            "/api/v1/concerns",
            body=json.dumps({"text": CONCERN, "district": "fenland"}).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
        )
    finally:
        server.stop()

    assert answer.status == 201, answer.body
    (concern,) = stored(make_test_app(database_url))
    assert (concern.reference, concern.theme) == (json.loads(answer.body)["reference"], "speeding")
