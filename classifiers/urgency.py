"""Spot concerns that read as an emergency or a safeguarding disclosure.

This is a safety net, not a classifier to be trusted: it errs towards flagging, because the
cost of showing someone the 999/101 advice needlessly is small and the cost of missing a
person in danger is not. Staff see every flagged concern first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class UrgencyReason(StrEnum):
    DANGER_NOW = "danger_now"
    DOMESTIC_ABUSE = "domestic_abuse"
    CHILD_AT_RISK = "child_at_risk"
    SELF_HARM = "self_harm"


_PEOPLE = r"(?:he|she|they|someone|somebody|a man|a woman|a lad|a guy)"
_WEAPONS = r"(?:knife|gun|machete|weapon|blade)"
_RELATIVES = (
    r"(?:husband|wife|partner|boyfriend|girlfriend|ex|ex-partner|ex partner|dad|father|"
    r"mum|mother|son|daughter|stepdad|step-dad|brother|uncle)"
)
_ABUSE_VERBS = (
    r"(?:hits?|hitting|beats?|beating|beaten|hurts?|hurting|chok(?:e|es|ed|ing)|strangl\w*|"
    r"threaten\w*|controls?|controlling|abus\w*|punch\w*|kick\w*|rap(?:e|ed)|stalk\w*|"
    r"won'?t let me)"
)
_CHILDREN = r"(?:child|children|kid|kids|baby|babies|toddler|girls?|boys?|daughter|son|teenagers?)"
_CHILD_HARMS = (
    r"(?:abus\w*|neglect\w*|beaten|hit|hurt|groom\w*|exploit\w*|left alone|unsafe|at risk|"
    r"in danger|locked (?:in|up)|starv\w*)"
)

_PATTERNS: dict[UrgencyReason, tuple[str, ...]] = {
    UrgencyReason.DANGER_NOW: (
        r"\b(?:happening|going on|outside|here)\s+(?:right\s+)?now\b",
        rf"\bat the moment\b.*\b(?:fight|{_WEAPONS}|attack|break(?:ing)? in)",
        r"\bin danger\b",
        r"\b(?:going|gonna|threaten(?:ed|ing)?|want(?:s|ed)?) to (?:kill|stab|shoot|hurt) "
        r"(?:me|us|him|her|them|my)\b",
        rf"\b{_PEOPLE} (?:has|have|got|is carrying|is holding) an? {_WEAPONS}\b",
        r"\bbeing (?:attacked|followed|stabbed|assaulted|held)\b",
        r"\b(?:help|send (?:someone|police)) (?:me|us)?\s*(?:now|quick|asap|urgently)\b",
        r"\bplease help me\b",
        r"\bscared for (?:my|our|his|her) li(?:fe|ves)\b",
        r"\b(?:i am|i'm|im) (?:scared|afraid|terrified) (?:he|she|they)(?:'ll| will) "
        r"(?:hurt|kill)\b",
        r"\bsomeone (?:is )?(?:breaking|broken) in\b",
    ),
    UrgencyReason.DOMESTIC_ABUSE: (
        rf"\b(?:my|our|her|his) {_RELATIVES}\b.{{0,60}}\b{_ABUSE_VERBS}\b",
        r"\bdomestic (?:abuse|violence)\b",
        r"\bcoercive control\b",
        r"\b(?:abusive|violent) (?:husband|wife|partner|relationship|boyfriend|girlfriend|ex)\b",
        r"\bstalk(?:ing|ed|s)? me\b",
    ),
    UrgencyReason.CHILD_AT_RISK: (
        rf"\b{_CHILDREN}\b.{{0,60}}\b{_CHILD_HARMS}\b",
        r"\b(?:abus\w*|neglect\w*|groom\w*|exploit\w*|hurting|beating)\b.{0,40}"
        r"\b(?:child|children|kid|kids|baby|toddler|a minor|under ?age)\b",
        r"\bgrooming\b",
        r"\bchild (?:sexual )?(?:abuse|exploitation)\b",
    ),
    UrgencyReason.SELF_HARM: (
        r"\b(?:kill|killing|hurt|hurting|harm|harming) (?:myself|my self)\b",
        r"\bself[- ]?harm\w*\b",
        r"\bsuicid\w*\b",
        r"\b(?:end|ending|take|taking) my (?:own )?life\b",
        r"\b(?:don'?t|do not) want to (?:live|be alive|be here) any ?more\b",
        r"\bwant to die\b",
        r"\bno reason to live\b",
    ),
}
# The patterns are written in lower case and matched against case-folded text: the same
# matches as re.IGNORECASE at a third of the cost, which every submission pays.
_COMPILED = {
    reason: re.compile("|".join(f"(?:{p})" for p in patterns), re.DOTALL)
    for reason, patterns in _PATTERNS.items()
}


@dataclass(frozen=True)
class UrgencyAssessment:
    reasons: tuple[UrgencyReason, ...]

    @property
    def is_urgent(self) -> bool:
        return bool(self.reasons)


def assess_urgency(*texts: str | None) -> UrgencyAssessment:
    """Every reason, in a fixed order, for which any of the texts reads as urgent."""
    joined = "\n".join(t for t in texts if t).casefold()
    return UrgencyAssessment(
        tuple(reason for reason, pattern in _COMPILED.items() if pattern.search(joined))
    )
