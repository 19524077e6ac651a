"""Redaction: a copy of a text with personal data replaced by typed placeholders.

Emails, UK phone numbers, full UK postcodes, UK vehicle registrations and house numbers
with a street name are found with patterns; personal names only when an NER pipeline is
configured (``ner_model:`` in config/classifier.yaml, a package name or a path). The input
string is never changed: :meth:`Redactor.redact` returns a new one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

from classifiers.errors import ConfigError

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# +44 / 0044 / 0 prefixes; 10 digits after the trunk 0, grouped by spaces, dashes or brackets.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)44[\s-]?(?:\(0\)[\s-]?)?|\(?0)"
    r"(?:\d[\s)-]{0,2}){9}\d(?!\d)"
)
# Full postcodes only: an outward code alone ("PE13") is an area, not personal data. The
# inward letters exclude C I K M O V, which also keeps "A14 3am" from matching.
POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
PLATE_CURRENT = re.compile(r"\b([A-Z]{2}\d{2}) ?([A-Z]{3})\b", re.IGNORECASE)
PLATE_PREFIX = re.compile(r"\b([A-Z]\d{1,3}) ?([A-Z]{3})\b", re.IGNORECASE)
PLATE_SUFFIX = re.compile(r"\b([A-Z]{3}) ?(\d{1,3}[A-Z])\b", re.IGNORECASE)
STREET_TYPES = (
    "road|rd|street|st|lane|ln|avenue|ave|close|cl|drive|dr|way|court|ct|crescent|cres|"
    "gardens|gdns|place|pl|terrace|grove|hill|row|walk|square|sq|mews|park|green|parade|"
    "rise|view|end|croft|fields|meadow|chase|drove|bank"
)
ADDRESS = re.compile(
    rf"(?:\b(?:flat|apartment|apt|unit)\s*\d+[a-z]?\s*,?\s*)?"
    rf"\b\d{{1,4}}[a-z]?\s*,?\s+(?:the\s+)?"
    rf"((?:[A-Za-z][A-Za-z']*\s+){{1,3}})(?:{STREET_TYPES})\b",
    re.IGNORECASE,
)
FLAT = re.compile(r"\b(?:flat|apartment|apt)\s*\d+[a-z]?\b", re.IGNORECASE)
DIGIT = re.compile(r"\d")

PLACEHOLDERS = {
    "email": "[email]",
    "phone": "[phone]",
    "postcode": "[postcode]",
    "plate": "[vehicle registration]",
    "address": "[address]",
    "name": "[name]",
}
_COMMON = frozenset(STOP_WORDS) | {"mph", "kmh", "yrs", "hrs", "min", "mins", "sec", "pcs"}

Span = tuple[int, int, str]


def _plates(text: str) -> Iterator[Span]:
    """Registrations in the current, prefix and suffix formats. Matching ignores case, so
    a letter group that is an ordinary word ("A14 and", "the 1st") is not a plate."""
    for pattern, letters_group in ((PLATE_CURRENT, 2), (PLATE_PREFIX, 2), (PLATE_SUFFIX, 1)):
        for match in pattern.finditer(text):
            letters = match.group(letters_group).lower()
            if letters in _COMMON:
                continue
            if pattern is PLATE_PREFIX and match.group(0).islower() and letters.isalpha():
                # "a14 bus": lower-case road numbers followed by a word are too common.
                continue
            yield match.start(), match.end(), "plate"


def _addresses(text: str) -> Iterator[Span]:
    for match in ADDRESS.finditer(text):
        words = match.group(1).split()
        # "2 kids in the street": a street name has no stop words and mostly capitals or
        # no digits; insisting on no stop words keeps counts of things out.
        if any(word.lower() in _COMMON for word in words):
            continue
        yield match.start(), match.end(), "address"
    for match in FLAT.finditer(text):
        yield match.start(), match.end(), "address"


def _patterns(text: str) -> Iterator[Span]:
    """Every pattern's spans. Each pattern needs an ``@`` or a digit (``\\d``, as they spell
    it) to match, and most concerns hold neither: those skip the patterns outright."""
    if "@" in text:
        for match in EMAIL.finditer(text):
            yield match.start(), match.end(), "email"
    if DIGIT.search(text) is None:
        return
    for match in PHONE.finditer(text):
        yield match.start(), match.end(), "phone"
    for match in POSTCODE.finditer(text):
        yield match.start(), match.end(), "postcode"
    yield from _plates(text)
    yield from _addresses(text)


@lru_cache(maxsize=2)
def load_ner(name: str) -> Language:
    """Load an NER pipeline by package name or path, once per process."""
    path = Path(name)
    try:
        nlp = spacy.load(path if path.exists() else name)
    except OSError as exc:
        raise ConfigError(f"ner_model {name!r} cannot be loaded: {exc}") from exc
    if not any(pipe in nlp.pipe_names for pipe in ("ner", "entity_ruler")):
        raise ConfigError(f"ner_model {name!r} has no ner or entity_ruler component")
    return nlp


class Redactor:
    """Replaces personal data with placeholders like ``[email]`` and ``[address]``."""

    def __init__(self, ner_model: str | None = None) -> None:
        self._ner = load_ner(ner_model) if ner_model else None

    @property
    def redacts_names(self) -> bool:
        return self._ner is not None

    def spans(self, text: str) -> list[Span]:
        """Non-overlapping spans to replace, earliest and then longest first."""
        found = list(_patterns(text))
        if self._ner is not None:
            doc = self._ner(text)
            found.extend(
                (ent.start_char, ent.end_char, "name") for ent in doc.ents if ent.label_ == "PERSON"
            )
        found.sort(key=lambda span: (span[0], -(span[1] - span[0])))
        chosen: list[Span] = []
        for span in found:
            if chosen and span[0] < chosen[-1][1]:
                continue
            chosen.append(span)
        return chosen

    def redact(self, text: str) -> str:
        pieces: list[str] = []
        position = 0
        for start, end, kind in self.spans(text):
            pieces.append(text[position:start])
            pieces.append(PLACEHOLDERS[kind])
            position = end
        pieces.append(text[position:])
        return "".join(pieces)
