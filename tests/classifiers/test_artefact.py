"""Artefacts: round trip, metadata, and every refusal."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import skops.io as sio

from classifiers.artefact import METADATA_FILE, MODEL_FILE, load_artefact
from classifiers.corpus import Example
from classifiers.errors import IncompatibleArtefact, ModelUnavailable, UntrustedArtefact
from classifiers.service import ThemeClassifier
from classifiers.settings import ClassifierSettings, theme_ids
from classifiers.training import TrainResult, train


def _version_dir(model_dir: Path) -> Path:
    return model_dir / (model_dir / "current").read_text(encoding="utf-8").strip()


def test_metadata_describes_the_model(trained: TrainResult) -> None:
    meta = trained.metadata
    for key in (
        "version",
        "created_at",
        "training_data_hash",
        "library_versions",
        "labels",
        "cross_validation",
        "thresholds",
        "seed",
    ):
        assert key in meta
    assert set(meta["labels"]) == set(theme_ids())
    assert {"scikit-learn", "skops", "spacy"} <= set(meta["library_versions"])
    assert 0.0 <= meta["cross_validation"]["macro_f1"] <= 1.0
    on_disk = json.loads((trained.path / METADATA_FILE).read_text(encoding="utf-8"))
    assert on_disk == meta


def test_round_trip_gives_the_same_predictions(
    model_copy: Path, classifier: ThemeClassifier
) -> None:
    settings = ClassifierSettings.from_yaml(model_dir=model_copy)
    reloaded = ThemeClassifier.load(model_copy, settings)
    texts = ["speeding", "graffiti on the bridge", "dog mess everywhere"]
    assert reloaded.classify_many(texts) == classifier.classify_many(texts)
    assert reloaded.version == classifier.version


def test_a_version_folder_loads_directly(model_copy: Path) -> None:
    artefact = load_artefact(_version_dir(model_copy), trusted_root=model_copy)
    assert artefact.version == _version_dir(model_copy).name


def test_training_is_deterministic(
    tmp_path: Path, examples: list[Example], trained: TrainResult
) -> None:
    settings = ClassifierSettings.from_yaml(model_dir=tmp_path)
    again = train(examples=examples, out_dir=tmp_path, seed=7, settings=settings, cv_folds=5)
    assert again.metadata["training_data_hash"] == trained.metadata["training_data_hash"]
    assert again.metadata["cross_validation"] == trained.metadata["cross_validation"]
    first = load_artefact(trained.path)
    second = load_artefact(again.path)
    probe = first.model.predict_proba(ThemeClassifier(first, settings).process(["noise at night"]))
    probe2 = second.model.predict_proba(
        ThemeClassifier(second, settings).process(["noise at night"])
    )
    assert (probe == probe2).all()


def test_extra_examples_change_the_data_hash(
    tmp_path: Path, examples: list[Example], trained: TrainResult
) -> None:
    settings = ClassifierSettings.from_yaml(model_dir=tmp_path)
    result = train(
        examples=examples,
        extra_examples=[Example("lads on quad bikes in the woods", "anti_social_behaviour")],
        out_dir=tmp_path,
        seed=7,
        settings=settings,
        cv_folds=0,
    )
    assert result.metadata["training_data_hash"] != trained.metadata["training_data_hash"]
    assert result.metadata["training_examples"] == len(examples) + 1


def test_missing_model_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="no model"):
        ThemeClassifier.load(tmp_path / "nothing-here")


def test_mismatched_library_version_is_refused(model_copy: Path) -> None:
    meta_path = _version_dir(model_copy) / METADATA_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["library_versions"]["scikit-learn"] = "0.24.2"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IncompatibleArtefact, match=r"scikit-learn 0\.24\.2.*retrain"):
        ThemeClassifier.load(model_copy, ClassifierSettings.from_yaml(model_dir=model_copy))


def test_model_dir_outside_the_configured_one_is_refused(model_copy: Path, tmp_path: Path) -> None:
    settings = ClassifierSettings.from_yaml(model_dir=tmp_path / "configured")
    with pytest.raises(UntrustedArtefact, match="outside the configured model directory"):
        ThemeClassifier.load(model_copy, settings)


def test_pointer_escaping_the_model_dir_is_refused(model_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    shutil.copytree(_version_dir(model_copy), outside / "v1")
    link = model_copy / "escape"
    link.symlink_to(outside / "v1")
    (model_copy / "current").write_text("escape\n", encoding="utf-8")
    with pytest.raises(UntrustedArtefact, match="outside the model directory"):
        load_artefact(model_copy)


def test_pointer_with_path_is_refused(model_copy: Path) -> None:
    (model_copy / "current").write_text("../other\n", encoding="utf-8")
    with pytest.raises(UntrustedArtefact, match="not a version name"):
        load_artefact(model_copy)


def test_file_writable_by_others_is_refused(model_copy: Path) -> None:
    model_file = _version_dir(model_copy) / MODEL_FILE
    os.chmod(model_file, 0o666)  # noqa: S103 - the point of the test
    with pytest.raises(UntrustedArtefact, match="writable by other users"):
        load_artefact(model_copy)


def test_types_outside_the_allowlist_are_refused(model_copy: Path) -> None:
    model_file = _version_dir(model_copy) / MODEL_FILE
    parts = sio.load(model_file, trusted=sio.get_untrusted_types(file=model_file))
    parts["extra"] = os.system  # a callable skops would happily load if trusted
    sio.dump(parts, model_file)
    os.chmod(model_file, 0o644)
    with pytest.raises(UntrustedArtefact, match="outside the allowlist"):
        load_artefact(model_copy)
