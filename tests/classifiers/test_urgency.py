"""Spotting emergencies and safeguarding disclosures in what residents write."""

from __future__ import annotations

import pytest

from classifiers.urgency import UrgencyReason, assess_urgency


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
