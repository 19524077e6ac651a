"""Redaction of each kind of personal data, and the optional NER path for names."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.errors import ConfigError
from classifiers.redaction import (
    ADDRESS,
    EMAIL,
    FLAT,
    PHONE,
    PLATE_CURRENT,
    PLATE_PREFIX,
    PLATE_SUFFIX,
    POSTCODE,
    Redactor,
)
from classifiers.settings import ClassifierSettings


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email me at jo.bloggs+x@example.co.uk today", "email me at [email] today"),
        ("ring 07700 900123 after six", "ring [phone] after six"),
        ("ring +44 7700 900123", "ring [phone]"),
        ("ring +44 (0)1223 456789 now", "ring [phone] now"),
        ("call 01733-123-456 please", "call [phone] please"),
        ("call (01223) 456789", "call [phone]"),
        ("my postcode is PE13 1AB ok", "my postcode is [postcode] ok"),
        ("near cb11aa", "near [postcode]"),
        ("car AB12 CDE parked", "car [vehicle registration] parked"),
        ("car ab12cde parked", "car [vehicle registration] parked"),
        ("old A123 BCD van", "old [vehicle registration] van"),
        ("old ABC 123D van", "old [vehicle registration] van"),
        ("outside 14 Mill Road again", "outside [address] again"),
        ("at flat 3, 22 High St there", "at [address] there"),
        ("14a church lane", "[address]"),
    ],
)
def test_each_kind_is_replaced(redactor: Redactor, text: str, expected: str) -> None:
    assert redactor.redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Boy racers in PE13 every night",  # an outward code alone is an area
        "on the A14 and the A47 the lorries",  # road numbers are not plates
        "the A14 3am every night",
        "cars doing 60 in a 30 mph zone",
        "2 kids in the street",
        "there were 5 youths on the green",
        "call 101 or 999",
        "since 2019 on the M11",
    ],
)
def test_ordinary_text_is_left_alone(redactor: Redactor, text: str) -> None:
    assert redactor.redact(text) == text


def test_original_is_untouched(redactor: Redactor) -> None:
    original = "Email jo@example.com or ring 07700 900123, 14 Mill Road, PE13 1AB"
    kept = str(original)
    redacted = redactor.redact(original)
    assert original == kept
    assert redacted == "Email [email] or ring [phone], [address], [postcode]"


def test_names_are_kept_without_an_ner_model(redactor: Redactor) -> None:
    assert not redactor.redacts_names
    assert redactor.redact("Gary Smith keeps parking on my drive") == (
        "Gary Smith keeps parking on my drive"
    )


@pytest.fixture(scope="module")
def ner_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny NER pipeline saved to disk, as a configured ``ner_model`` path would be."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": "PERSON", "pattern": [{"LOWER": "gary"}, {"LOWER": "smith"}]},
            {"label": "PERSON", "pattern": [{"LOWER": "jane"}]},
        ]
    )
    path = tmp_path_factory.mktemp("ner") / "tiny_ner"
    nlp.to_disk(path)
    return path


def test_names_are_redacted_with_a_configured_ner_model(ner_pipeline: Path, tmp_path: Path) -> None:
    config = tmp_path / "classifier.yaml"
    config.write_text(f"ner_model: {ner_pipeline}\n", encoding="utf-8")
    settings = ClassifierSettings.from_yaml(config)
    assert settings.ner_model == str(ner_pipeline)
    redactor = Redactor(settings.ner_model)
    assert redactor.redacts_names
    text = "Gary Smith and Jane at 14 Mill Road deal from their car"
    assert redactor.redact(text) == "[name] and [name] at [address] deal from their car"


def test_empty_ner_setting_means_no_names(tmp_path: Path) -> None:
    config = tmp_path / "classifier.yaml"
    config.write_text('ner_model: ""\n', encoding="utf-8")
    assert ClassifierSettings.from_yaml(config).ner_model is None


def test_unloadable_ner_model_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be loaded"):
        Redactor(str(tmp_path / "no_such_pipeline"))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Nd", "Cs"), blacklist_characters="@"),
        max_size=300,
    )
)
def test_without_a_digit_or_an_at_sign_no_pattern_can_match(text: str) -> None:
    """Why redaction may skip its patterns for such a text: none of them could match."""
    for pattern in (EMAIL, PHONE, POSTCODE, PLATE_CURRENT, PLATE_PREFIX, PLATE_SUFFIX):
        assert pattern.search(text) is None
    assert ADDRESS.search(text) is None
    assert FLAT.search(text) is None


def test_digits_of_other_scripts_are_read_as_digits(redactor: Redactor) -> None:
    text = "cars outside ٤٢ Mill Road every night"
    assert redactor.redact(text) == "cars outside [address] every night"
