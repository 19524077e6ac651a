"""Preprocessing, rules, language guards and the compiled predictor's agreement."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifiers.compiled import CompiledModel
from classifiers.errors import ConfigError
from classifiers.preprocess import TextProcessor, normalise
from classifiers.service import ThemeClassifier
from classifiers.settings import ClassifierSettings, theme_ids

TEXTS = [
    "Boy racers on the A47, every night!",
    "Fly-tipping behind the Co-op: mattress & sofa",
    "my bike got nicked from outside the station",
    "they broke into our shed last night",
    "Catalytic converters stolen off two cars",
    "paving cracked and uneven",
    "crack cocaine being sold by the shops",
    "",
    "???",
    "Dużo śmieci na ulicy",
    "speeding",
]


@pytest.fixture(scope="module")
def processor() -> TextProcessor:
    return TextProcessor(theme_ids())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fly-tipping", "fly tipping"),
        ("FLYTIPPED sofa", "fly tipped sofa"),
        ("Grafitti on the wall", "graffiti on the wall"),
        ("it\u2019s the e\u2013scooters", "it's the e scooters"),
        ("giraffe", "giraffe"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_batch_and_single_processing_agree(processor: TextProcessor) -> None:
    assert processor.process(TEXTS) == [processor.process_one(text) for text in TEXTS]
    assert list(processor.iter_process(TEXTS, batch_size=2)) == processor.process(TEXTS)


def _theme_hits(processor: TextProcessor, text: str) -> set[str]:
    themes = theme_ids()
    return {themes[column] for column in processor.process_one(text).rule_hits}


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("hare coursing on the fen", "rural_crime"),
        ("Catalytic converters stolen", "vehicle_crime"),
        ("fly-tipping again", "litter_fly_tipping"),
        ("county lines dealers", "exploitation"),
        ("nitrous oxide canisters", "drugs"),
        ("my bike got nicked", "cycle_theft"),
        ("they broke into our shed", "burglary"),
    ],
)
def test_phrase_rules_fire(processor: TextProcessor, text: str, theme: str) -> None:
    assert theme in _theme_hits(processor, text)


def test_cracked_pavements_are_not_drugs(processor: TextProcessor) -> None:
    assert "drugs" not in _theme_hits(processor, "the pavement is cracked, cracks everywhere")
    assert "cracked" in processor.process_one("pavement cracked").lemmas.split()


def test_compiled_model_agrees_with_scikit_learn(classifier: ThemeClassifier) -> None:
    compiled = classifier.model
    assert isinstance(compiled, CompiledModel)
    processed = classifier.process(TEXTS)
    fast_proba, fast_ovr = compiled.predict(processed)
    slow_proba, slow_ovr = compiled.model.predict(processed)
    np.testing.assert_allclose(fast_proba, slow_proba, atol=1e-12)
    np.testing.assert_allclose(fast_ovr, slow_ovr, atol=1e-12)
    for row, item in enumerate(processed):
        one_proba, one_ovr = compiled.predict([item])
        np.testing.assert_allclose(one_proba[0], slow_proba[row], atol=1e-12)
        np.testing.assert_allclose(one_ovr[0], slow_ovr[row], atol=1e-12)


@pytest.mark.parametrize("theme", ["rural_crime", "vehicle_crime", "drugs", "exploitation"])
def test_rule_evidence_adds_to_the_score(classifier: ThemeClassifier, theme: str) -> None:
    """A rule column carries positive weight for its own theme: evidence, not a verdict."""
    compiled = classifier.model
    themes = classifier.artefact.metadata["rule_themes"]
    weight = compiled._coef_t[compiled._rule_offset + themes.index(theme)]
    assert weight[compiled.labels.index(theme)] > 0


def test_unknown_setting_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "classifier.yaml"
    config.write_text("confidence_treshold: 0.4\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting"):
        ClassifierSettings.from_yaml(config)


def test_out_of_range_threshold_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "classifier.yaml"
    config.write_text("confidence_threshold: 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="between 0 and 1"):
        ClassifierSettings.from_yaml(config)


def test_project_config_loads() -> None:
    settings = ClassifierSettings.from_yaml()
    assert settings.ner_model is None
    assert "en" in settings.languages
    assert settings.model_dir.name == "models"
