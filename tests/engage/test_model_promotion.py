"""A model promoted by retraining reaches running web processes without a restart."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from flask import Flask

from classifiers.artefact import CURRENT_FILE, METADATA_FILE, MODEL_FILE
from engage.classification import ClassifierLoader, loader
from tests.conftest import make_test_app
from tests.engage.public.conftest import send_form
from tests.stored import stored_concerns as stored


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def in_use(model_dir: Path) -> str:
    return (model_dir / CURRENT_FILE).read_text().strip()


def promote_copy(model_dir: Path, name: str, *, broken: bool = False) -> str:
    """Promote a new version, as retraining does: a version folder, then ``current``."""
    source = model_dir / in_use(model_dir)
    target = model_dir / name
    shutil.copytree(source, target)
    metadata = json.loads((target / METADATA_FILE).read_text())
    metadata["version"] = name
    (target / METADATA_FILE).write_text(json.dumps(metadata))
    if broken:
        (target / MODEL_FILE).write_bytes(b"not a model")
    (model_dir / CURRENT_FILE).write_text(name + "\n")
    return name


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def held(model_dir: Path, clock: Clock) -> ClassifierLoader:
    return ClassifierLoader(model_dir, None, check_every=30.0, clock=clock)


def test_a_promoted_model_replaces_the_one_in_use_once_loaded(
    held: ClassifierLoader,
    model_dir: Path,
    clock: Clock,
) -> None:
    first = held.classifier()
    assert first is not None
    promoted = promote_copy(model_dir, "promoted-v2")

    clock.now += 10
    assert held.classifier() is first  # not looked for yet: the pointer is read every 30 s

    clock.now += 21
    assert held.classifier() is first  # the new one loads in the background meanwhile
    held.wait_for_reload(timeout=120)
    replacement = held.classifier()

    assert replacement is not None
    assert replacement.version == promoted
    assert replacement.classify("cars doing 60 in a 30 mph zone").model_version == promoted


def test_a_promoted_model_that_fails_to_load_leaves_the_one_in_use(
    held: ClassifierLoader,
    model_dir: Path,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = held.classifier()
    assert first is not None
    promote_copy(model_dir, "broken-v2", broken=True)

    clock.now += 31
    with caplog.at_level(logging.WARNING, logger="engage.classification"):
        held.classifier()
        held.wait_for_reload(timeout=120)

    assert held.classifier() is first
    assert "Promoted theme model broken-v2 did not load" in caplog.text
    assert f"still classifying with {first.version}" in caplog.text

    caplog.clear()
    clock.now += 31
    with caplog.at_level(logging.WARNING, logger="engage.classification"):
        assert held.classifier() is first
        held.wait_for_reload(timeout=120)
    assert caplog.text == ""  # the same broken version is not tried again


def test_a_model_folder_without_a_pointer_is_never_reloaded(
    model_dir: Path,
    clock: Clock,
) -> None:
    version_folder = model_dir / in_use(model_dir)
    held = ClassifierLoader(version_folder, None, check_every=30.0, clock=clock)
    first = held.classifier()
    clock.now += 31

    assert held.classifier() is first
    held.wait_for_reload(timeout=1)
    assert held.classifier() is first


@pytest.fixture
def promptly_checking_app(database_url: str, model_dir: Path) -> Flask:
    return make_test_app(
        database_url,
        ENGAGE_MODEL_DIR=model_dir,
        ENGAGE_CLASSIFY_INLINE=True,
        ENGAGE_MODEL_CHECK_SECONDS=0.0,
    )


def test_concerns_sent_after_a_promotion_are_classified_with_the_new_model(
    promptly_checking_app: Flask,
    model_dir: Path,
) -> None:
    client = promptly_checking_app.test_client()
    send_form(client, concern="cars doing 60 in a 30 mph zone", district="fenland")
    first_version = in_use(model_dir)
    promoted = promote_copy(model_dir, "promoted-v2")

    send_form(client, concern="drug dealing outside the shops", district="fenland")
    with promptly_checking_app.app_context():
        loader().wait_for_reload(timeout=120)
    send_form(client, concern="vans parked on the pavement", district="fenland")

    versions = [c.model_version for c in sorted(stored(promptly_checking_app), key=lambda c: c.id)]
    assert versions[0] == first_version
    assert versions[1] in (first_version, promoted)  # sent while the new one was loading
    assert versions[2] == promoted
