"""Spotting emergencies and safeguarding disclosures in what residents write."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from classifiers.urgency import UrgencyReason, assess_urgency

CORPUS = Path(__file__).resolve().parents[2] / "classifiers" / "corpus"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("There is a fight happening right now outside the chippy", UrgencyReason.DANGER_NOW),
        ("a man has a knife by the bus station", UrgencyReason.DANGER_NOW),
        ("I'm being followed home every night", UrgencyReason.DANGER_NOW),
        ("my husband hits me when he drinks", UrgencyReason.DOMESTIC_ABUSE),
        ("my ex keeps stalking me and turning up", UrgencyReason.DOMESTIC_ABUSE),
        (
            "i think the kids next door are neglected and left alone for days",
            UrgencyReason.CHILD_AT_RISK,
        ),
        ("older men grooming girls from the school", UrgencyReason.CHILD_AT_RISK),
        ("some days I want to kill myself", UrgencyReason.SELF_HARM),
        ("feeling suicidal since the break in", UrgencyReason.SELF_HARM),
    ],
)
def test_each_kind_of_urgent_disclosure_is_flagged(text: str, reason: UrgencyReason) -> None:
    assessment = assess_urgency(text)
    assert assessment.is_urgent
    assert reason in assessment.reasons


@pytest.mark.parametrize(
    "text",
    [
        "Speeding on the A141",
        "Too much litter and dog mess in the park",
        "Kids on e-scooters on the pavement",
        "Cars parked on the pavement near the school",
        "More police patrols in the town centre please",
    ],
)
def test_everyday_concerns_are_not_flagged(text: str) -> None:
    assert not assess_urgency(text).is_urgent


def test_the_impact_answer_is_read_too() -> None:
    assert assess_urgency("Noise from next door", "my partner hits me").is_urgent


@pytest.mark.parametrize(
    "text",
    [
        "SOMEONE IS BREAKING IN RIGHT NOW",
        "My Husband Hits Me",
        "Feeling SUICIDAL",
        "\u017fomeone is breaking in",  # a long s, which case-folds to s
    ],
)
def test_a_disclosure_is_flagged_whatever_its_case(text: str) -> None:
    assert assess_urgency(text).is_urgent


def test_the_patterns_are_written_in_lower_case_for_case_folded_text() -> None:
    from classifiers.urgency import _PATTERNS

    for patterns in _PATTERNS.values():
        for pattern in patterns:
            without_escapes = re.sub(r"\\.", "", pattern)
            assert without_escapes == without_escapes.casefold(), pattern
            assert not re.search(r"\\[BDSWAZ]", pattern), pattern


def test_decisions_match_the_patterns_read_ignoring_case_on_every_corpus_text() -> None:
    from classifiers.urgency import _PATTERNS

    ignoring_case = {
        reason: re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE | re.DOTALL)
        for reason, patterns in _PATTERNS.items()
    }
    texts = [
        row["text"]
        for path in sorted(CORPUS.glob("*.csv"))
        for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines())
    ]
    assert len(texts) > 1000
    for text in texts + [text.upper() for text in texts]:
        expected = tuple(r for r, pattern in ignoring_case.items() if pattern.search(text))
        assert assess_urgency(text).reasons == expected, text
