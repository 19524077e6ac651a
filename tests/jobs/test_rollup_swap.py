"""A full rebuild on PostgreSQL: two connections count the days on either side of a middle
day into a table beside the live one, on one snapshot, and it is swapped in. Readers see the
old facts until the swap, a recount asked for meanwhile waits and is not lost, and a
failure leaves the old facts as they were."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from engage.models import Concern, ConcernCount, StaleRollupDay
from engage.services.corrections import correct_themes
from jobs import rollup_swap
from jobs.rollups import rebuild_rollups, write_day
from tests.factories import staff_user
from tests.jobs.conftest import add_concerns, concern

ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

NOW = datetime(2026, 11, 23, 1, 15, tzinfo=UTC)
FIRST = datetime(2026, 9, 1, 12, tzinfo=UTC)


def spread_concerns(session: Session, days: int) -> list[Concern]:
    """Concerns on ``days`` consecutive days, themes and districts varying by day."""
    themes, districts = ["speeding", "drugs", "parking"], ["fenland", "peterborough"]
    return add_concerns(
        session,
        [
            concern(
                submitted_at=FIRST + timedelta(days=n),
                theme=themes[n % 3],
                district=districts[n % 2],
                channel="web" if n % 4 else "surgery",
            )
            for n in range(days)
            for _ in range(1 + n % 3)
        ],
    )


def facts(session: Session) -> list[tuple[Any, ...]]:
    rows = session.execute(
        select(
            ConcernCount.day,
            ConcernCount.district,
            ConcernCount.theme,
            ConcernCount.channel,
            ConcernCount.concerns,
        ).order_by(ConcernCount.day, ConcernCount.district, ConcernCount.theme)
    ).all()
    session.rollback()
    return [tuple(row) for row in rows]


def counted_directly(session: Session) -> list[tuple[Any, ...]]:
    rows = session.execute(
        select(
            Concern.submitted_day,
            Concern.district,
            Concern.theme,
            Concern.channel,
            func.count(),
        )
        .group_by(Concern.submitted_day, Concern.district, Concern.theme, Concern.channel)
        .order_by(Concern.submitted_day, Concern.district, Concern.theme)
    ).all()
    session.rollback()
    return [tuple(row) for row in rows]


def before_swap(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> None:
    """Run ``action`` after both halves are counted and committed, before the swap."""
    swap = rollup_swap._swap

    def swap_after_action(connection: Any, mark_ids: list[int]) -> None:
        action()
        swap(connection, mark_ids)

    monkeypatch.setattr(rollup_swap, "_swap", swap_after_action)


@ON_POSTGRESQL
def test_both_halves_are_counted_and_match_an_independent_count(session: Session) -> None:
    spread_concerns(session, 40)
    with session.get_bind().connect() as connection:
        connection.execute(text("ANALYZE concerns"))
        middle = rollup_swap._middle_day(connection)
    assert FIRST.date() < middle < (FIRST + timedelta(days=39)).date()

    written = rebuild_rollups(session)

    assert facts(session) == counted_directly(session)
    assert written == len(counted_directly(session))


@ON_POSTGRESQL
def test_the_new_table_replaces_the_old_with_its_day_index_and_nothing_left_beside(
    session: Session,
) -> None:
    spread_concerns(session, 5)
    rebuild_rollups(session)
    rebuild_rollups(session)

    inspector = inspect(session.connection())
    assert [index["name"] for index in inspector.get_indexes("concern_counts")] == [
        "ix_concern_counts_day"
    ]
    assert not inspector.has_table(rollup_swap.BESIDE)
    session.rollback()
    assert facts(session) == counted_directly(session)


@ON_POSTGRESQL
def test_readers_see_the_old_facts_until_the_swap(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    spread_concerns(session, 3)
    rebuild_rollups(session)
    old = facts(session)
    add_concerns(session, [concern(submitted_at=FIRST, theme="burglary")])
    seen: list[list[tuple[Any, ...]]] = []
    engine = session.get_bind()
    before_swap(monkeypatch, lambda: seen.append(facts(Session(engine))))

    rebuild_rollups(session)

    assert seen == [old]
    assert facts(session) == counted_directly(session) != old


@ON_POSTGRESQL
def test_a_day_recounted_during_the_rebuild_waits_for_the_swap_and_is_kept(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the lock held to the swap, this recount would commit into the old table
    and be thrown away with it."""
    spread_concerns(session, 3)
    engine = session.get_bind()
    finished = threading.Event()

    def recount_meanwhile() -> None:
        with Session(engine) as other:
            add_concerns(other, [concern(submitted_at=FIRST, theme="burglary")])
            write_day(other, FIRST.date())
        finished.set()

    recounter = threading.Thread(target=recount_meanwhile)

    def start_recount() -> None:
        recounter.start()
        assert not finished.wait(0.5), "the recount did not wait for the rebuild"

    before_swap(monkeypatch, start_recount)
    rebuild_rollups(session)
    recounter.join(10)

    assert finished.is_set()
    assert facts(session) == counted_directly(session)
    assert ("burglary", 1) in [(row[2], row[4]) for row in facts(session)]


@ON_POSTGRESQL
def test_a_correction_after_the_snapshot_keeps_its_mark(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = staff_user(session)
    first, *_ = add_concerns(session, [concern(submitted_at=FIRST) for _ in range(2)])
    correct_themes(session, first.id, "drugs", None, user.id, NOW)
    engine = session.get_bind()

    def correct_the_other() -> None:
        with Session(engine) as other:
            correct_themes(other, first.id + 1, "violence", None, user.id, NOW)

    before_swap(monkeypatch, correct_the_other)
    rebuild_rollups(session)

    themes = {row[2]: row[4] for row in facts(session)}
    assert themes == {"drugs": 1, "speeding": 1}
    assert session.scalar(select(func.count()).select_from(StaleRollupDay)) == 1
    session.rollback()


@ON_POSTGRESQL
def test_a_failure_while_counting_keeps_the_old_facts_and_the_marks(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = staff_user(session)
    first, *_ = spread_concerns(session, 4)
    rebuild_rollups(session)
    old = facts(session)
    correct_themes(session, first.id, "violence", None, user.id, NOW)

    def fail(*_: Any) -> int:
        raise RuntimeError("the second connection was lost")

    monkeypatch.setattr(rollup_swap, "_count_in_snapshot", fail)
    with pytest.raises(RuntimeError, match="second connection"):
        rebuild_rollups(session)

    assert facts(session) == old
    assert session.scalar(select(func.count()).select_from(StaleRollupDay)) == 1
    assert not session.scalar(text(f"SELECT to_regclass('{rollup_swap.BESIDE}') IS NOT NULL"))
    session.rollback()


def test_the_split_is_the_median_of_the_planner_statistics_or_else_halfway() -> None:
    histogram = "{2026-01-01,2026-03-01,2026-03-20,2026-04-01,2026-06-30}"
    assert rollup_swap.middle_day(histogram, date(2026, 1, 1), date(2026, 6, 30)) == date(
        2026, 3, 20
    )
    assert rollup_swap.middle_day(None, date(2026, 9, 1), date(2026, 9, 11)) == date(2026, 9, 6)
    assert rollup_swap.middle_day("{}", date(2026, 9, 1), date(2026, 9, 2)) == date(2026, 9, 1)
    assert rollup_swap.middle_day(None, None, None) == date.min
