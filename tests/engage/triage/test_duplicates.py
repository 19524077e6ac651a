"""The possible-duplicate rule: same district, same London ISO week, near-identical text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask

from engage.extensions import db
from engage.models import Concern
from engage.triage.duplicates import (
    Candidate,
    duplicate_pairs,
    jaccard,
    near_identical,
    normalise,
    shingles,
    suggest_duplicates_of,
)
from tests.engage.triage.conftest import WEDNESDAY, MakeConcern

TEXT = "Speeding cars on Elm Road every morning near the school gates"


def candidate(
    id: int, text: str = TEXT, district: str = "fenland", at: datetime = WEDNESDAY
) -> Candidate:
    return Candidate(id, district, at, text)


def test_normalising_ignores_case_punctuation_apostrophes_and_spacing() -> None:
    assert normalise("  Don\u2019t SPEED!!  on   Elm-Road. ") == "dont speed on elm road"


def test_shingles_are_word_pairs_and_a_single_word_is_its_own_shingle() -> None:
    assert shingles("cars racing here") == {"cars racing", "racing here"}
    assert shingles("speeding") == {"speeding"}
    assert jaccard(frozenset({"a b"}), frozenset({"a b", "b c"})) == 0.5


def test_the_same_text_however_written_is_near_identical() -> None:
    assert near_identical(TEXT, TEXT.upper() + "!!!")


def test_one_changed_word_in_a_long_text_is_near_identical_but_in_a_short_one_is_not() -> None:
    long_a = "cars speed down the high street every single night and nobody ever stops them at all"
    long_b = long_a + " now"
    assert jaccard(shingles(normalise(long_a)), shingles(normalise(long_b))) >= 0.8
    assert near_identical(long_a, long_b)
    assert not near_identical("speeding on elm road", "speeding on oak road")


def test_pairs_need_the_same_district_and_the_same_week() -> None:
    monday = datetime(2026, 11, 16, 0, 30, tzinfo=UTC)
    pairs = duplicate_pairs(
        [
            candidate(1),
            candidate(2, TEXT.lower()),
            candidate(3, district="peterborough"),
            candidate(4, at=WEDNESDAY - timedelta(days=7)),
            candidate(5, "Something else entirely about bins"),
            candidate(6, at=monday),
        ]
    )
    assert pairs == {(1, 2), (1, 6), (2, 6)}


def test_the_week_is_the_london_week_not_the_utc_one() -> None:
    # 23:30 UTC on Sunday 29 March 2026 is already Monday in London (summer time).
    sunday_utc = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
    monday = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert duplicate_pairs([candidate(1, at=sunday_utc), candidate(2, at=monday)]) == {(1, 2)}


def test_many_copies_of_a_text_all_pair_with_each_other() -> None:
    pairs = duplicate_pairs([candidate(n) for n in range(1, 5)])
    assert len(pairs) == 6


def test_suggestions_are_the_near_identical_concerns_of_the_same_district_and_week(
    app: Flask, make_concern: MakeConcern
) -> None:
    concern = make_concern(text=TEXT)
    same = make_concern(text=TEXT + ".", submitted_at=WEDNESDAY + timedelta(days=2))
    make_concern(text=TEXT, district="peterborough")
    make_concern(text=TEXT, submitted_at=WEDNESDAY + timedelta(days=5))
    make_concern(text="Nothing like it at all")
    make_concern(text=TEXT, status="duplicate", duplicate_of_id=same.id)

    with app.app_context():
        found = suggest_duplicates_of(db.session(), db.session.get(Concern, concern.id))
        assert [c.reference for c in found] == [same.reference]
