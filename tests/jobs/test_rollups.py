"""Rollups match counts worked out independently here, in Python, from the rows inserted."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import Concern, ConcernCount
from engage.repository.rollup_marks import mark_stale
from jobs.framework import Grain, JobContext, Period, run_job
from jobs.rollups import MEASURES, period_bucket, rebuild_rollups, rollup_period, write_day
from tests.jobs.conftest import add_concerns, concern

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 1, 15, tzinfo=UTC)
CONTEXT = JobContext(now=NOW, triggered_by="test", settings={})
# grain, period start, district, neighbourhood, theme, channel
Key = tuple[str, date, str, str, str, str]
GRAINS: tuple[Grain, ...] = ("day", "week", "month")


def _random_concerns(seed: int, count: int) -> list[Concern]:
    """Concerns over 20 Oct - 3 Nov 2026 (clocks go back on 25 Oct, a month ends on
    Saturday 31 Oct, so week 44 has days in two months), some near midnight."""
    rng = random.Random(seed)
    start = datetime(2026, 10, 20, tzinfo=UTC)
    rows = []
    for _ in range(count):
        moment = start + timedelta(minutes=rng.randrange(15 * 24 * 60))
        if rng.random() < 0.3:  # crowd the hour either side of midnight
            moment = moment.replace(hour=rng.choice([22, 23, 0]))
        rows.append(
            concern(
                submitted_at=moment,
                district=rng.choice(["fenland", "peterborough"]),
                neighbourhood=rng.choice(["Wisbech", "March", None]),
                theme=rng.choice(["speeding", "drugs", None]),
                channel=rng.choice(["web", "surgery"]),
                urgency=rng.choice(["routine", "routine", "urgent"]),
                dealing_with_concerns=rng.choice(["agree", "disagree", "dont_know", None]),
                status=rng.choice(["new", "new", "quarantined"]),
            )
        )
    return rows


def _tally(item: Concern) -> Counter[str]:
    tally: Counter[str] = Counter(concerns=1, urgent=int(item.urgency == "urgent"))
    if item.dealing_with_concerns:
        tally[item.dealing_with_concerns] += 1
    return +tally


def _counted(concerns: list[Concern], duplicates: set[int] | None) -> list[Concern]:
    skipped = duplicates or set()
    return [c for c in concerns if c.id not in skipped and c.status != "quarantined"]


def _expected(
    concerns: list[Concern], duplicates: set[int] | None = None
) -> dict[Key, Counter[str]]:
    """Each day's, week's and month's figures, from each concern's Europe/London day."""
    counts: dict[Key, Counter[str]] = {}
    for item in _counted(concerns, duplicates):
        local_day = item.submitted_at.astimezone(LONDON).date()
        for grain in GRAINS:
            start = Period.containing(grain, local_day).start
            key = (
                grain,
                start,
                item.district,
                item.neighbourhood or "",
                item.theme or "",
                item.channel,
            )
            counts.setdefault(key, Counter()).update(_tally(item))
    return counts


def _stored(session: Session) -> dict[Key, Counter[str]]:
    """What the readers see: the day rows, and each week's or month's rows summed by
    ``period_bucket``."""
    days = sorted(session.scalars(select(ConcernCount.day).distinct()))
    stored: dict[Key, Counter[str]] = {}
    for grain in GRAINS:
        starts = sorted({Period.containing(grain, day).start for day in days})
        if not starts:
            continue
        bucket, within = period_bucket(grain, starts)
        keys = (
            bucket,
            ConcernCount.district,
            ConcernCount.neighbourhood,
            ConcernCount.theme,
            ConcernCount.channel,
        )
        sums = [func.sum(getattr(ConcernCount, name)) for name in MEASURES]
        for row in session.execute(select(*keys, *sums).where(within).group_by(*keys)):
            tally = Counter(dict(zip(MEASURES, (int(n) for n in row[5:]), strict=True)))
            stored[(grain, *row[:5])] = +tally  # drop zero entries, as the expected have none
    session.rollback()
    return stored


def _fact_rows(session: Session) -> dict[tuple[object, ...], tuple[int, ...]]:
    """Every fact row by its key; fails if any key is stored twice."""
    rows = session.execute(select(*ConcernCount.__table__.columns)).all()
    session.rollback()
    stored = {tuple(row[:5]): tuple(row[5:]) for row in rows}
    assert len(stored) == len(rows), "a fact key is stored more than once"
    return stored


def _with_duplicates(session: Session, concerns: list[Concern]) -> set[int]:
    """Mark every tenth concern a duplicate of the one before it."""
    duplicates = set()
    with write_transaction(session):
        for before, item in zip(concerns[::10], concerns[1::10], strict=False):
            item.duplicate_of_id = before.id
            duplicates.add(item.id)
    return duplicates


def test_full_rebuild_matches_counts_worked_out_independently(session: Session) -> None:
    concerns = add_concerns(session, _random_concerns(seed=1, count=400))
    duplicates = _with_duplicates(session, concerns)
    rebuild_rollups(session)
    assert _stored(session) == _expected(concerns, duplicates)


def test_one_fact_row_per_day_district_neighbourhood_theme_and_channel(
    session: Session,
) -> None:
    add_concerns(
        session,
        [
            concern(neighbourhood="Wisbech", channel="web"),
            concern(neighbourhood="Wisbech", channel="web", urgency="urgent"),
            concern(neighbourhood="March", channel="web", dealing_with_concerns="agree"),
            concern(neighbourhood=None, channel="surgery", theme=None),
            concern(district="peterborough", neighbourhood="Orton", channel="web"),
        ],
    )
    rebuild_rollups(session)
    day = date(2026, 11, 18)
    assert _fact_rows(session) == {
        (day, "fenland", "Wisbech", "speeding", "web"): (2, 1, 0, 0, 0),
        (day, "fenland", "March", "speeding", "web"): (1, 0, 1, 0, 0),
        (day, "fenland", "", "", "surgery"): (1, 0, 0, 0, 0),
        (day, "peterborough", "Orton", "speeding", "web"): (1, 0, 0, 0, 0),
    }


def test_daily_runs_match_the_full_rebuild(session: Session) -> None:
    concerns = add_concerns(session, _random_concerns(seed=2, count=300))
    day = date(2026, 10, 19)
    while day <= date(2026, 11, 4):
        run_job(session, "rollup-day", rollup_period, Period("day", day), CONTEXT)
        day += timedelta(days=1)
    daily = _fact_rows(session)
    assert _stored(session) == _expected(concerns)
    rebuild_rollups(session)
    assert _fact_rows(session) == daily


def test_rerunning_a_period_changes_nothing(session: Session) -> None:
    add_concerns(session, _random_concerns(seed=3, count=200))
    rebuild_rollups(session)
    before = _fact_rows(session)
    for text in ("2026-10-25", "2026-W44", "2026-10", "2026-11-01"):
        rollup_period(session, Period.parse(text), CONTEXT)
        assert _fact_rows(session) == before
    rebuild_rollups(session)
    assert _fact_rows(session) == before


def test_weeks_and_months_follow_london_days_across_the_clock_changes(session: Session) -> None:
    add_concerns(
        session,
        [
            # 23:30 UTC on Sunday 18 Oct is 00:30 BST on Monday 19 Oct: week 43, not 42.
            concern(submitted_at=datetime(2026, 10, 18, 23, 30, tzinfo=UTC)),
            # 23:30 UTC on Sunday 25 Oct, after the clocks went back, is 23:30 GMT: week 43.
            concern(submitted_at=datetime(2026, 10, 25, 23, 30, tzinfo=UTC)),
            # 23:30 UTC on 30 Sep is 00:30 BST on 1 Oct: October.
            concern(submitted_at=datetime(2026, 9, 30, 23, 30, tzinfo=UTC)),
            # 23:30 UTC on 31 Oct is 23:30 GMT: still October.
            concern(submitted_at=datetime(2026, 10, 31, 23, 30, tzinfo=UTC)),
            # 00:30 UTC on 29 Mar is 00:30 GMT (clocks go forward at 01:00): March.
            concern(submitted_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
            # 23:30 UTC on 31 Mar is 00:30 BST on 1 Apr: April.
            concern(submitted_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC)),
        ],
    )
    rebuild_rollups(session)
    figures: Counter[tuple[str, date]] = Counter()
    for key, tally in _stored(session).items():
        if key[0] != "day":
            figures[key[:2]] += tally["concerns"]
    assert figures == {
        ("week", date(2026, 10, 19)): 2,
        ("week", date(2026, 9, 28)): 1,
        ("week", date(2026, 10, 26)): 1,
        ("week", date(2026, 3, 23)): 1,
        ("week", date(2026, 3, 30)): 1,
        ("month", date(2026, 10, 1)): 4,
        ("month", date(2026, 3, 1)): 1,
        ("month", date(2026, 4, 1)): 1,
    }
    assert set(_fact_rows(session)) >= {
        (date(2026, 10, 19), "fenland", "Wisbech", "speeding", "web"),
        (date(2026, 4, 1), "fenland", "Wisbech", "speeding", "web"),
    }


def test_every_concern_carries_its_london_day(session: Session) -> None:
    late_evening = concern(submitted_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    winter = concern(submitted_at=datetime(2026, 12, 1, 23, 30, tzinfo=UTC))
    add_concerns(session, [late_evening, winter])
    session.expire_all()
    assert late_evening.submitted_day == date(2026, 7, 1)
    assert winter.submitted_day == date(2026, 12, 1)


def test_unclassified_concerns_count_under_an_empty_theme(session: Session) -> None:
    add_concerns(session, [concern(theme=None, neighbourhood=None)])
    rebuild_rollups(session)
    row = session.scalars(select(ConcernCount)).one()
    assert (row.theme, row.neighbourhood, row.concerns) == ("", "", 1)


def test_the_daily_run_recounts_its_day_and_every_day_marked_stale(session: Session) -> None:
    add_concerns(session, [concern(submitted_at=datetime(2026, 11, 18, 12, tzinfo=UTC))])
    result = rollup_period(session, Period.parse("2026-11-18"), CONTEXT)
    assert result.rows == 1
    assert result.detail["rows_by_day"] == {"2026-11-18": 1}
    # Stored later for earlier days (a paper form imported with the day it was filled in):
    # the services mark those days, and the next run recounts them.
    late = [
        concern(submitted_at=datetime(2026, 11, 16, 9, tzinfo=UTC)),
        concern(submitted_at=datetime(2026, 11, 2, 9, tzinfo=UTC)),
        concern(submitted_at=datetime(2026, 10, 20, 9, tzinfo=UTC)),
    ]
    add_concerns(session, late)
    with write_transaction(session):
        for item in late:
            mark_stale(session, item.submitted_day, NOW)
    result = rollup_period(session, Period.parse("2026-11-19"), CONTEXT)
    assert result.detail["stale_days"] == ["2026-10-20", "2026-11-02", "2026-11-16"]
    assert sorted(day for day, *_ in _fact_rows(session)) == [
        date(2026, 10, 20),
        date(2026, 11, 2),
        date(2026, 11, 16),
        date(2026, 11, 18),
    ]


def test_rebuild_from_a_date_leaves_earlier_months_alone(session: Session) -> None:
    add_concerns(
        session,
        [
            concern(submitted_at=datetime(2026, 9, 10, 12, tzinfo=UTC)),
            concern(submitted_at=datetime(2026, 11, 10, 12, tzinfo=UTC)),
        ],
    )
    rebuild_rollups(session)
    with write_transaction(session):
        # Pretend September's counts were written by an older rule: a partial rebuild
        # from November must not touch them.
        september = session.scalars(
            select(ConcernCount).where(ConcernCount.day == date(2026, 9, 10))
        ).one()
        september.concerns = 99
    add_concerns(session, [concern(submitted_at=datetime(2026, 11, 11, 12, tzinfo=UTC))])
    rebuild_rollups(session, since=date(2026, 11, 20))
    months = {
        key[1]: tally["concerns"] for key, tally in _stored(session).items() if key[0] == "month"
    }
    assert months == {date(2026, 9, 1): 99, date(2026, 11, 1): 2}


# PostgreSQL only: on SQLite the write lock already lets one recount run at a time.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_runs_recounting_the_same_day_at_once_write_it_once(session: Session) -> None:
    """The second run starts while the first has deleted the day's rows but not yet
    inserted or committed its new ones. Without serialising, the second run's DELETE cannot
    see rows the first has yet to commit, and both runs' rows would be kept."""
    engine = session.get_bind()
    add_concerns(session, [concern(), concern(channel="surgery")])
    day = date(2026, 11, 18)
    second: list[threading.Thread] = []

    def start_second_run(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if second or not statement.lstrip().upper().startswith("DELETE FROM CONCERN_COUNTS"):
            return

        def recount_too() -> None:
            with Session(engine) as other:
                write_day(other, day)

        second.append(threading.Thread(target=recount_too))
        second[0].start()
        second[0].join(timeout=0.5)  # let it reach the point where it must wait

    event.listen(engine, "after_cursor_execute", start_second_run)
    try:
        write_day(session, day)
    finally:
        event.remove(engine, "after_cursor_execute", start_second_run)
    second[0].join(timeout=30)
    assert not second[0].is_alive()
    assert _fact_rows(session) == {
        (day, "fenland", "Wisbech", "speeding", "web"): (1, 0, 0, 0, 0),
        (day, "fenland", "Wisbech", "speeding", "surgery"): (1, 0, 0, 0, 0),
    }
