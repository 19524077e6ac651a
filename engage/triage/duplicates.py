"""Possible duplicates: near-identical text from the same district in the same week.

The rule, exactly:

* Two concerns are compared only when they share a district and an ISO week (the
  Europe/London calendar week, Monday to Sunday, of ``submitted_at``).
* Text is normalised: Unicode NFKC, case-folded, apostrophes dropped, every run of
  characters that are not letters or digits turned into one space, trimmed.
* They are possible duplicates when the normalised texts are equal, or when the Jaccard
  similarity of their word-shingle sets is at least 0.8. Shingles are overlapping word
  pairs (bigrams); a text of one word has that word as its only shingle.
* Concerns already merged (``duplicate_of_id`` set) and quarantined concerns are never
  candidates.

Within each district-week bucket, equal texts are grouped by hash first; the remaining
pairs are found through an inverted index of shingles (only concerns sharing a shingle
are compared) and a size filter (Jaccard >= t needs the smaller set to hold at least t of
the larger one), so a bucket is not compared all-pairs.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.london_time import LONDON, london_midnight_utc
from engage.models import Concern

JACCARD_THRESHOLD = 0.8
_NOT_WORD = re.compile(r"[\W_]+")
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NOT_WORD.sub(" ", _APOSTROPHES.sub("", folded)).strip()


def shingles(normalised: str) -> frozenset[str]:
    words = normalised.split()
    if len(words) < 2:
        return frozenset(words)
    return frozenset(f"{a} {b}" for a, b in pairwise(words))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def near_identical(first: str, second: str) -> bool:
    a, b = normalise(first), normalise(second)
    return a == b or jaccard(shingles(a), shingles(b)) >= JACCARD_THRESHOLD


def iso_week(moment: datetime) -> tuple[int, int]:
    calendar = moment.astimezone(LONDON).isocalendar()
    return calendar.year, calendar.week


def week_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The UTC instants the London ISO week holding ``moment`` starts and ends."""
    local_day = moment.astimezone(LONDON).date()
    monday = local_day - timedelta(days=local_day.weekday())
    return london_midnight_utc(monday), london_midnight_utc(monday + timedelta(days=7))


@dataclass(frozen=True)
class Candidate:
    id: int
    district: str
    submitted_at: datetime
    text: str


def duplicate_pairs(candidates: Iterable[Candidate]) -> set[tuple[int, int]]:
    """Every pair (smaller id, larger id) of possible duplicates under the rule above."""
    buckets: dict[tuple[str, int, int], list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        buckets[(candidate.district, *iso_week(candidate.submitted_at))].append(candidate)
    pairs: set[tuple[int, int]] = set()
    for bucket in buckets.values():
        pairs |= _pairs_in_bucket(bucket)
    return pairs


def _pairs_in_bucket(bucket: Sequence[Candidate]) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    by_text: dict[str, list[int]] = defaultdict(list)
    for candidate in bucket:
        by_text[normalise(candidate.text)].append(candidate.id)
    for ids in by_text.values():
        ordered = sorted(ids)
        pairs |= {(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]}

    # One representative per distinct text; its pairs spread to all that share the text.
    texts = list(by_text)
    sets = [shingles(text) for text in texts]
    index: dict[str, list[int]] = defaultdict(list)
    for position, shingle_set in enumerate(sets):
        for shingle in shingle_set:
            index[shingle].append(position)
    for position, shingle_set in enumerate(sets):
        seen: set[int] = set()
        for shingle in shingle_set:
            for other in index[shingle]:
                if other <= position or other in seen:
                    continue
                seen.add(other)
                small, large = sorted((len(shingle_set), len(sets[other])))
                if small < JACCARD_THRESHOLD * large:
                    continue
                if jaccard(shingle_set, sets[other]) >= JACCARD_THRESHOLD:
                    for a in by_text[texts[position]]:
                        for b in by_text[texts[other]]:
                            pairs.add((min(a, b), max(a, b)))
    return pairs


def _candidates(session: Session, *where: object) -> list[Candidate]:
    rows = session.execute(
        select(Concern.id, Concern.district, Concern.submitted_at, Concern.text).where(
            Concern.duplicate_of_id.is_(None),
            Concern.status.notin_(("duplicate", "quarantined")),
            *where,  # type: ignore[arg-type]
        )
    ).all()
    return [Candidate(row.id, row.district, row.submitted_at, row.text) for row in rows]


def find_duplicate_pairs(session: Session, since: date) -> set[tuple[int, int]]:
    """Possible duplicate pairs among concerns submitted from the London day ``since``."""
    return duplicate_pairs(_candidates(session, Concern.submitted_at >= london_midnight_utc(since)))


def suggest_duplicates_of(session: Session, concern: Concern) -> list[Concern]:
    """Concerns this one may duplicate: its district-week bucket, oldest first."""
    start, end = week_bounds(concern.submitted_at)
    bucket = _candidates(
        session,
        Concern.district == concern.district,
        Concern.submitted_at >= start,
        Concern.submitted_at < end,
        Concern.id != concern.id,
    )
    own = normalise(concern.text)
    own_shingles = shingles(own)
    matches = [
        c.id
        for c in bucket
        if normalise(c.text) == own
        or jaccard(own_shingles, shingles(normalise(c.text))) >= JACCARD_THRESHOLD
    ]
    if not matches:
        return []
    return list(
        session.scalars(
            select(Concern)
            .where(Concern.id.in_(matches))
            .order_by(Concern.submitted_at, Concern.id)
        )
    )
