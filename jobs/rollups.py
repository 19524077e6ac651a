"""Rollups: concerns counted per Europe/London day x district x neighbourhood x theme x
channel into ``concern_counts``, by SQL aggregation in the database.

A week's or a month's figures are the sum of its days' rows (``period_bucket`` labels each
day with the period it falls in), so no stored week can disagree with its days.

Each concern carries its London day (``submitted_day``, set with ``submitted_at``), and the
index ``ix_concerns_rollup_day`` holds every column counted, in the order the rollup groups
by. So counting is one walk of that index: no table visits, no sorting, no date arithmetic
per row; rows come out of the aggregate in the fact table's key order.

Every day is written in one transaction: delete its rows, insert them again, so a rerun is
always safe. A full rebuild is one transaction too. Rollup writes are serialised
(``_serialise``), which is what keeps each key written once.

Counted: every concern not merged into another (``duplicate_of_id`` is null) and not
quarantined. An empty string stands for no neighbourhood and for not yet classified.

A change to a stored concern's counted fields, or a concern stored for a day already past,
marks that day stale (``engage.repository.rollup_marks``) in the same transaction. Every
rollup run reads the marks first, recounts those days, and deletes exactly the marks it
read, each in the transaction that recounted its day: a mark committed after the marks were
read stays for the next run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache, partial
from typing import Any, TypeAlias

from sqlalchemy import (
    Date,
    Insert,
    Select,
    String,
    TypeDecorator,
    and_,
    bindparam,
    case,
    column,
    delete,
    func,
    literal_column,
    or_,
    select,
    table,
    type_coerce,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engage.database import (
    end_read,
    in_a_file,
    insert_from_select,
    rows_written,
    write_transaction,
)
from engage.models import Concern, ConcernCount, StaleRollupDay
from engage.repository.concerns import counted
from engage.repository.rollup_marks import mark_stale as mark_stale
from jobs.framework import Grain, JobContext, JobResult, Period
from jobs.rollup_scratch import rebuild_with_helper
from jobs.rollup_swap import rebuild_beside

KEY_COLUMNS = ("district", "neighbourhood", "theme", "channel")
MEASURES = ("concerns", "urgent", "agree", "disagree", "dont_know")
Source: TypeAlias = "Select[*tuple[Any, ...]]"
Marks: TypeAlias = dict[date, list[int]]
_TARGET = ("day", *KEY_COLUMNS, *MEASURES)


def _from_concerns(dialect: str, days: ColumnElement[bool]) -> Source:
    """The counts of the days ``days`` selects, straight from ``concerns``.

    Grouped by the raw columns, in the index's order, so SQLite streams the groups from the
    index without sorting; the empty-string stand-ins are applied to each group's output.
    ``count(*) FILTER`` gives 0, never null, when no concern matches.
    """
    return (
        select(
            Concern.submitted_day,
            Concern.district,
            func.coalesce(Concern.neighbourhood, literal_column("''")),
            func.coalesce(Concern.theme, literal_column("''")),
            Concern.channel,
            func.count(),
            func.count().filter(Concern.urgency == "urgent"),
            func.count().filter(Concern.dealing_with_concerns == "agree"),
            func.count().filter(Concern.dealing_with_concerns == "disagree"),
            func.count().filter(Concern.dealing_with_concerns == "dont_know"),
        )
        .where(days, counted(dialect))
        .group_by(
            Concern.submitted_day,
            Concern.district,
            Concern.neighbourhood,
            Concern.theme,
            Concern.channel,
        )
    )


def _insert(source: Source) -> Insert:
    return insert_from_select(
        table(ConcernCount.__tablename__, *(column(name) for name in _TARGET)), source
    )


@cache
def insert_day(dialect: str) -> Insert:
    """One day's counts; built once, so many days run as one executemany."""
    return _insert(_from_concerns(dialect, Concern.submitted_day == bindparam("day", type_=Date())))


@cache
def insert_from(dialect: str) -> Insert:
    """Every day from ``first`` on: one walk of the index for a rebuild."""
    return _insert(
        _from_concerns(dialect, Concern.submitted_day >= bindparam("first", type_=Date()))
    )


DELETE_DAY = delete(ConcernCount).where(ConcernCount.day == bindparam("day", type_=Date()))


def period_bucket(grain: Grain, starts: Sequence[date]) -> tuple[ColumnElement[Any], Any]:
    """For readers of ``concern_counts``: an expression naming the period (by its start) a
    fact's day falls in, and the condition that keeps only the facts of those periods.

    Select the expression, filter with the condition, group by the expression and sum the
    measures: a week's or a month's figures, added up by the database. The periods' dates
    are written into the statement, so the expression reads the same in SELECT and GROUP BY
    (PostgreSQL insists) and every database sees one range condition per run of periods.
    """
    periods = sorted({Period(grain, start) for start in starts}, key=lambda p: p.start)
    if not periods:
        raise ValueError("period_bucket needs at least one period")

    def day(value: date) -> Any:
        return bindparam(None, value, type_=Date(), literal_execute=True)

    bucket = case(
        *[(ConcernCount.day >= day(p.start), day(p.start)) for p in reversed(periods)],
    )
    runs: list[tuple[date, date]] = []
    for period in periods:
        if runs and runs[-1][1] == period.start:
            runs[-1] = (runs[-1][0], period.end)
        else:
            runs.append((period.start, period.end))
    within = or_(*[and_(ConcernCount.day >= day(a), ConcernCount.day < day(b)) for a, b in runs])
    return type_coerce(bucket, _PeriodStart()), within


class _PeriodStart(TypeDecorator[date]):
    """A period start written into a statement as text ('2026-11-16'): both databases hand
    a CASE of such literals back as text, read here as the date it names."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: object, dialect: Dialect) -> date | None:
        if value is None or isinstance(value, date):
            return value
        return date.fromisoformat(str(value))


# pg_advisory_xact_lock key for rollup writes ("ROLLUPS" in ASCII).
_ROLLUP_LOCK = 0x524F4C4C555053


def _serialise(connection: Connection) -> None:
    """Wait for any other rollup write to commit first (PostgreSQL; SQLite has one writer).

    ``concern_counts`` has no unique key (see the model): without this, two runs recounting
    the same day at once could each delete the rows the other has yet to commit, and both
    insert theirs.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_ROLLUP_LOCK)))


def read_stale_marks(session: Session) -> Marks:
    """Every stale mark now committed, by its day (read before counting)."""
    rows = session.execute(select(StaleRollupDay.id, StaleRollupDay.day)).all()
    session.rollback()
    marks: Marks = defaultdict(list)
    for mark_id, day in rows:
        marks[day].append(mark_id)
    return dict(marks)


def _delete_marks(session: Session, ids: Iterable[int]) -> None:
    wanted = sorted(ids)
    if wanted:
        session.execute(delete(StaleRollupDay).where(StaleRollupDay.id.in_(wanted)))


def write_day(session: Session, day: date, mark_ids: Iterable[int] = ()) -> int:
    """Recount one day from ``concerns`` in its own transaction, clearing the marks given
    (read before this began); the rows written."""
    with write_transaction(session):
        connection = session.connection()
        _serialise(connection)
        connection.execute(DELETE_DAY, {"day": day})
        rows = rows_written(connection.execute(insert_day(connection.dialect.name), {"day": day}))
        _delete_marks(session, mark_ids)
    return rows


def recount(session: Session, days: Iterable[date], marks: Marks) -> dict[str, int]:
    """Recount ``days`` and every day holding a stale mark; rows written by ISO day."""
    wanted = sorted(set(days) | set(marks))
    return {day.isoformat(): write_day(session, day, marks.get(day, ())) for day in wanted}


def rollup_period(session: Session, period: Period, context: JobContext) -> JobResult:
    """The scheduled rollup: recount the period's days and every day marked stale.

    The nightly run recounts yesterday. A concern stored later for an earlier day (a paper
    form imported with the day it was filled in) or changed after its day was counted
    (classified late, its theme corrected, merged) marks that day, so the next run
    recounts it too.
    """
    marks = read_stale_marks(session)
    written = recount(session, period.days(), marks)
    detail: dict[str, Any] = {"rows_by_day": written}
    if marks:
        detail["stale_days"] = sorted(day.isoformat() for day in marks)
    return JobResult(rows=sum(written.values()), detail=detail)


def rebuild_rollups(session: Session, since: date | None = None) -> int:
    """Recount everything (or every day from the first of the month holding ``since``) in
    one transaction; the rows written. From ``since``: one INSERT ... SELECT walking the
    covering index. A full rebuild uses both cores: on PostgreSQL two connections count
    into a table beside the live one, swapped in (``jobs.rollup_swap``); on SQLite a second
    connection counts the later days into a scratch file while the first counts the
    earlier ones, and copies them in (``jobs.rollup_scratch``). Either way readers see the
    old facts until the new ones are all there.
    """
    if since is None and session.get_bind().dialect.name == "postgresql":
        end_read(session)
        return rebuild_beside(
            session.get_bind().engine,
            partial(_from_concerns, "postgresql"),
            _TARGET,
            _ROLLUP_LOCK,
        )
    marks = read_stale_marks(session)
    engine = session.get_bind().engine
    if since is None and in_a_file(engine.url):
        end_read(session)
        return rebuild_with_helper(
            engine,
            partial(_from_concerns, engine.dialect.name),
            _TARGET,
            (i for ids in marks.values() for i in ids),
        )
    first = Period.containing("month", since).start if since is not None else date.min
    with write_transaction(session):
        connection = session.connection()
        _serialise(connection)
        connection.execute(delete(ConcernCount).where(ConcernCount.day >= first))
        _delete_marks(session, (i for day, ids in marks.items() if day >= first for i in ids))
        inserting = insert_from(connection.dialect.name)
        return rows_written(connection.execute(inserting, {"first": first}))


def rebuild_job(session: Session, period: Period, context: JobContext) -> JobResult:
    """A full rebuild as a scheduled job: picks up every later change to past concerns."""
    return JobResult(rows=rebuild_rollups(session))
