"""A small trained theme model, shared by the tests of classification in the service."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from classifiers.training import TrainResult, train
from tests.classifiers.conftest import fixture_examples


@pytest.fixture(scope="session")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    return train(
        examples=fixture_examples(),
        out_dir=tmp_path_factory.mktemp("service-models"),
        seed=7,
        cv_folds=5,
    )


@pytest.fixture
def model_dir(small_model: TrainResult, tmp_path: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(small_model.path.parent, target)
    return target
