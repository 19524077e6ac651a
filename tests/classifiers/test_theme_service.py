"""The facade: themes, confidence, secondary themes, languages and odd input."""

from __future__ import annotations

import dataclasses

import pytest

from classifiers.service import Classification, ThemeClassifier

UNMISTAKABLE = {
    "anti_social_behaviour": "youths causing anti social behaviour",
    "speeding": "speeding cars",
    "parking": "parking on the pavement",
    "road_safety": "drink driving",
    "burglary": "burglary",
    "drugs": "drug dealing",
    "alcohol_rowdiness": "street drinking and drunk people",
    "litter_fly_tipping": "fly-tipping",
    "vehicle_crime": "catalytic converters stolen",
    "cycle_theft": "bike stolen",
    "violence": "knife crime and stabbings",
    "domestic_abuse": "domestic abuse",
    "hate_crime": "racist abuse",
    "rural_crime": "hare coursing",
    "business_crime": "shoplifting",
    "fraud_scams": "scams",
    "criminal_damage": "graffiti and vandalism",
    "visible_policing": "more police patrols",
    "exploitation": "county lines",
    "noise": "loud music",
    "no_concern": "no concerns",
    "other": "potholes",
}


@pytest.mark.parametrize(("theme", "text"), sorted(UNMISTAKABLE.items()))
def test_unmistakable_examples(classifier: ThemeClassifier, theme: str, text: str) -> None:
    result = classifier.classify(text)
    assert result.theme == theme
    assert result.language == "en"
    assert not result.needs_translation
    assert 0.0 < result.confidence <= 1.0
    assert result.model_version == classifier.version


def test_batch_agrees_with_single(classifier: ThemeClassifier) -> None:
    texts = [*UNMISTAKABLE.values(), "Dużo śmieci na ulicy i nikt tego nie sprząta", ""]
    assert classifier.classify_many(texts) == [classifier.classify(t) for t in texts]


def test_multi_theme_text_reports_secondary(classifier: ThemeClassifier) -> None:
    result = classifier.classify("speeding cars and people dealing drugs")
    assert result.theme == "speeding"
    assert "drugs" in dict(result.secondary)


def test_secondary_respects_threshold(classifier: ThemeClassifier) -> None:
    for result in classifier.classify_many(list(UNMISTAKABLE.values())):
        assert all(
            score >= classifier.settings.secondary_threshold for _, score in result.secondary
        )
        assert len(result.secondary) <= classifier.settings.max_secondary


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Dużo śmieci na ulicy i nikt tego nie sprząta", "pl"),
        ("Машины паркуются на тротуаре каждый день", "ru"),
        ("Mașinile parchează pe trotuar în fiecare zi", "ro"),
        ("Hay mucha gente vendiendo drogas en el parque", "es"),
        ("Muitos carros estacionados no passeio todos os dias", "pt"),
        ("每天晚上都有人在公园里喝酒吵闹", "zh"),
    ],
)
def test_non_english_is_not_forced_into_a_theme(
    classifier: ThemeClassifier, text: str, language: str
) -> None:
    result = classifier.classify(text)
    assert result.language == language
    assert result.needs_translation
    assert result.theme is None
    assert result.confidence == 0.0
    assert result.needs_review


@pytest.mark.parametrize(
    "text", ["speeding", "drugs", "hare coursing", "asb", "nothing", "no", "theives", "burglary"]
)
def test_short_english_answers_stay_english(classifier: ThemeClassifier, text: str) -> None:
    result = classifier.classify(text)
    assert result.language == "en"
    assert not result.needs_translation


@pytest.mark.parametrize("text", ["", "   ", "???", "12345", "!!!  ---"])
def test_empty_or_wordless_text(classifier: ThemeClassifier, text: str) -> None:
    result = classifier.classify(text)
    assert result.theme is None
    assert result.needs_review
    assert not result.needs_translation
    assert result.language == "und"


def test_gibberish_is_flagged_for_review(classifier: ThemeClassifier) -> None:
    result = classifier.classify("qwzx vbnm plkj")
    assert result.needs_review


def test_classification_is_frozen(classifier: ThemeClassifier) -> None:
    result = classifier.classify("speeding")
    assert isinstance(result, Classification)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.theme = "parking"  # type: ignore[misc]


def test_classify_many_empty(classifier: ThemeClassifier) -> None:
    assert classifier.classify_many([]) == []
