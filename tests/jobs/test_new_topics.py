"""New topics: concerns that fit no theme well are grouped and shown by their top terms."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import Concern, NewTopic
from jobs.framework import JobContext, Period
from jobs.new_topics import Candidate, find_new_topics, find_topics

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
WEEK = Period.parse("2026-W47")
IN_WEEK = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
CONTEXT = JobContext(now=NOW, triggered_by="test")
_numbers = itertools.count(1)

DRONES = [
    "Drones flying over our back gardens at night",
    "Someone keeps flying a drone over the gardens at night",
    "A drone flying low over houses and gardens late at night",
    "Drones over gardens at night filming people",
]
BINS = [
    "Council bins never emptied and rubbish blowing everywhere",
    "The council has not emptied the bins for weeks",
    "Bins never emptied by the council on our road",
]


def add_concern(session: Session, redacted: str, **overrides: object) -> int:
    n = next(_numbers)
    values: dict[str, object] = {
        "reference": f"TST-{n:06d}",
        "text": redacted + " call me on 07700 900123",
        "text_redacted": redacted,
        "district": "fenland",
        "channel": "web",
        "submitted_at": IN_WEEK,
        "status": "new",
        "urgency": "routine",
        "theme": "other",
        "theme_confidence": 0.3,
        "needs_review": False,
    }
    values.update(overrides)
    with write_transaction(session):
        concern = Concern(**values)
        session.add(concern)
        session.flush()
        return concern.id


def stored_topics(session: Session) -> list[NewTopic]:
    session.expire_all()
    return list(session.scalars(select(NewTopic).order_by(NewTopic.size.desc())))


def test_concerns_that_fit_no_theme_are_grouped_by_what_they_share(session: Session) -> None:
    drones = [add_concern(session, text) for text in DRONES]
    bins = [
        add_concern(session, text, theme="litter_fly_tipping", needs_review=True, district=d)
        for text, d in zip(BINS, ["fenland", "peterborough", "fenland"], strict=True)
    ]
    add_concern(session, "The weather has been awful this year")

    result = find_new_topics(session, WEEK, CONTEXT)

    topics = stored_topics(session)
    assert result.rows == 2
    assert [t.size for t in topics] == [4, 3]
    drone_topic, bin_topic = topics
    assert {"drone", "drones", "gardens", "night"} & set(drone_topic.top_terms)
    assert set(drone_topic.example_concern_ids) == set(drones)
    assert drone_topic.district == "fenland"
    assert {"bins", "council", "emptied"} <= set(bin_topic.top_terms)
    assert set(bin_topic.example_concern_ids) == set(bins)
    assert bin_topic.district is None  # spread over two districts
    assert (drone_topic.grain, drone_topic.period_start) == ("week", WEEK.start)
    assert drone_topic.detected_at == NOW


def test_confident_classified_duplicate_and_out_of_period_concerns_are_left_out(
    session: Session,
) -> None:
    for text in DRONES[:2]:
        add_concern(session, text, theme="anti_social_behaviour", theme_confidence=0.9)
    first = add_concern(session, DRONES[2])
    add_concern(session, DRONES[3], duplicate_of_id=first, status="duplicate")
    add_concern(session, DRONES[0], submitted_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    add_concern(session, DRONES[1], status="quarantined")

    find_new_topics(session, WEEK, CONTEXT)

    assert stored_topics(session) == []


def test_rerunning_a_period_replaces_its_topics(session: Session) -> None:
    for text in DRONES:
        add_concern(session, text)
    find_new_topics(session, WEEK, CONTEXT)
    find_new_topics(session, WEEK, CONTEXT)
    assert len(stored_topics(session)) == 1

    with write_transaction(session):
        for concern in session.scalars(select(Concern)):
            concern.theme = "anti_social_behaviour"
    find_new_topics(session, WEEK, CONTEXT)
    assert stored_topics(session) == []


def test_the_grouping_is_deterministic_and_ignores_texts_with_no_shared_words() -> None:
    candidates = [Candidate(i, "fenland", t) for i, t in enumerate([*DRONES, *BINS], 1)]
    noise = [Candidate(100 + i, "fenland", t) for i, t in enumerate(["hello", "!!!", ""])]

    first = find_topics(candidates + noise)
    again = find_topics(list(reversed(candidates + noise)))

    assert [t.concern_ids for t in first] == [[1, 2, 3, 4], [5, 6, 7]]
    assert [t.concern_ids for t in again] == [t.concern_ids for t in first]
    assert find_topics(noise) == []
    assert find_topics(candidates[:2]) == []
