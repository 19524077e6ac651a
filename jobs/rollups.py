"""Rollups: concerns counted per part x district x theme x channel into ``concern_counts``,
by SQL aggregation in the database.

A part is the days one ISO week and one calendar month share (``jobs.rollup_parts``), so a
week's figures are the sum of its one or two parts and a month's of its four to six; no
week or month row is stored that could disagree with the parts. The grain is no finer
because writing is what cost: day, week and month x district x neighbourhood x theme x
channel came to 1.15 million rows for a million concerns; parts x district x theme x
channel come to about 63,000.

Every part is written in one transaction: delete its rows, insert them again, so a rerun
is always safe. Parts are Europe/London calendar days; their UTC bounds come from zoneinfo
(``Part.bounds_utc``), right on both sides of a clock change on SQLite (no time zone
database) as on PostgreSQL.

Counted: every concern not merged into another (``duplicate_of_id`` is null) and not
quarantined. An empty string stands for not yet classified.

A staff theme correction marks its concern's day stale (``mark_stale``) in the transaction
that changes the theme. Every rollup run reads the marks first, recounts the parts holding
them, and deletes exactly the marks it read, each in the transaction that recounted its
part: a correction committed after the marks were read keeps its mark for the next run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Any, TypeAlias

from sqlalchemy import (
    Date,
    Insert,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from engage.database import write_transaction
from engage.models import Concern, ConcernCount, StaleRollupDay, UTCDateTime
from jobs.framework import JobContext, JobResult, Period, london_today
from jobs.rollup_parts import Part, parts_between, parts_of

KEY_COLUMNS = ("district", "theme", "channel")
MEASURES = ("concerns", "urgent", "agree", "disagree", "dont_know")
Source: TypeAlias = "Select[*tuple[Any, ...]]"
Marks: TypeAlias = dict[Part, list[int]]
_TARGET = ("week_start", "month_start", *KEY_COLUMNS, *MEASURES)


def counted() -> ColumnElement[bool]:
    """Which concerns count: not merged into another, not quarantined.

    ``coalesce(duplicate_of_id, 0) = 0`` rather than ``IS NULL``: SQLite without statistics
    serves ``IS NULL`` from ix_concerns_duplicate_of_id (nearly every row) instead of a range
    on the covering index ix_concerns_rollup (migration 0003). Ids start at 1.
    """
    return and_(
        func.coalesce(Concern.duplicate_of_id, literal_column("0")) == literal_column("0"),
        Concern.status != "quarantined",
    )


def period_column(grain: str) -> InstrumentedAttribute[date]:
    """The column that names a week's or a month's rows: sum them to get its figures."""
    if grain == "week":
        return ConcernCount.week_start
    if grain == "month":
        return ConcernCount.month_start
    raise ValueError("Counts are kept for weeks and months, not for single days")


def _not_merged(dialect: str) -> ColumnElement[bool]:
    """``counted()``'s first half as each database plans best: PostgreSQL estimates
    ``IS NULL`` from its statistics (and so picks a hash aggregate), but guesses 0.5 % of
    rows for the ``coalesce`` form and then sorts by collation, three times slower."""
    if dialect == "postgresql":
        return Concern.duplicate_of_id.is_(None)
    return func.coalesce(Concern.duplicate_of_id, literal_column("0")) == literal_column("0")


def _from_concerns(dialect: str) -> Source:
    """One part's counts straight from ``concerns``, between its UTC bounds.

    Built once with parameters, so a rebuild runs it for every part as one executemany.
    ``count(*) FILTER`` gives 0, never null, when no concern matches.
    """
    theme = func.coalesce(Concern.theme, literal_column("''"))
    return (
        select(
            bindparam("week", type_=Date()),
            bindparam("month", type_=Date()),
            Concern.district,
            theme,
            Concern.channel,
            func.count(),
            func.count().filter(Concern.urgency == "urgent"),
            func.count().filter(Concern.dealing_with_concerns == "agree"),
            func.count().filter(Concern.dealing_with_concerns == "disagree"),
            func.count().filter(Concern.dealing_with_concerns == "dont_know"),
        )
        .where(
            Concern.submitted_at >= bindparam("low", type_=UTCDateTime()),
            Concern.submitted_at < bindparam("high", type_=UTCDateTime()),
            _not_merged(dialect),
            Concern.status != "quarantined",
        )
        .group_by(Concern.district, theme, Concern.channel)
    )


@cache
def insert_part(dialect: str) -> Insert:
    """INSERT ... SELECT of one part's counts (``preserve_rowcount``: SQLAlchemy keeps an
    INSERT's row count only when asked)."""
    return (
        insert(ConcernCount)
        .from_select(list(_TARGET), _from_concerns(dialect))
        .execution_options(preserve_rowcount=True)
    )


DELETE_PART = delete(ConcernCount).where(
    ConcernCount.week_start == bindparam("week", type_=Date()),
    ConcernCount.month_start == bindparam("month", type_=Date()),
)


def _params(part: Part) -> dict[str, Any]:
    low, high = part.bounds_utc()
    return {"week": part.week_start, "month": part.month_start, "low": low, "high": high}


def _rowcount(result: object) -> int:
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def mark_stale(session: Session, submitted_at: datetime, now: datetime) -> None:
    """Mark the day of a concern whose counted fields changed, in the caller's transaction."""
    session.add(StaleRollupDay(day=london_today(submitted_at), marked_at=now))


def read_stale_marks(session: Session) -> Marks:
    """Every stale mark now committed, by the part holding its day (read before counting)."""
    rows = session.execute(select(StaleRollupDay.id, StaleRollupDay.day)).all()
    session.rollback()
    marks: Marks = defaultdict(list)
    for mark_id, day in rows:
        marks[Part.containing(day)].append(mark_id)
    return dict(marks)


def _delete_marks(session: Session, ids: Iterable[int]) -> None:
    wanted = sorted(ids)
    if wanted:
        session.execute(delete(StaleRollupDay).where(StaleRollupDay.id.in_(wanted)))


def write_part(session: Session, part: Part, mark_ids: Iterable[int] = ()) -> int:
    """Recount one part from ``concerns`` in its own transaction, clearing the marks given
    (read before this began); the rows written."""
    with write_transaction(session):
        connection = session.connection()
        params = _params(part)
        connection.execute(DELETE_PART, params)
        rows = _rowcount(connection.execute(insert_part(connection.dialect.name), params))
        _delete_marks(session, mark_ids)
    return rows


def recount(session: Session, parts: Iterable[Part], marks: Marks) -> dict[str, int]:
    """Recount ``parts`` and every part holding a stale mark; rows written by part key."""
    wanted = sorted(set(parts) | set(marks))
    return {part.key: write_part(session, part, marks.get(part, ())) for part in wanted}


def rollup_period(session: Session, period: Period, context: JobContext) -> JobResult:
    """The scheduled rollup: recount the parts making up the period and every stale part.

    For a day, that is every part of the week and of the month holding it, so a concern
    logged late for an earlier day of the same week or month (a paper form imported with
    the day it was filled in) is picked up too, as when weeks and months were recounted.
    """
    if period.grain == "day":
        parts = {
            part
            for grain in ("week", "month")
            for part in parts_of(Period.containing(grain, period.start))
        }
    else:
        parts = set(parts_of(period))
    marks = read_stale_marks(session)
    written = recount(session, parts, marks)
    detail: dict[str, Any] = {"rows_by_part": written}
    if marks:
        detail["stale_parts"] = sorted(part.key for part in marks)
    return JobResult(rows=sum(written.values()), detail=detail)


def rebuild_rollups(session: Session, since: date | None = None) -> int:
    """Recount everything (or every month from the one holding ``since``) in one transaction.

    Each part is a range scan of the covering index, all parts in one executemany. Returns
    the rows written. On PostgreSQL a full rebuild truncates the table, so readers of
    ``concern_counts`` wait for it to commit rather than see it half-built.
    """
    span = _span(session)
    marks = read_stale_marks(session)
    first_month = Period.containing("month", since).start if since is not None else None
    with write_transaction(session):
        connection = session.connection()
        if first_month is None and connection.dialect.name == "postgresql":
            # TRUNCATE (transactional in PostgreSQL) rather than DELETE: re-inserting the same
            # keys over dead index entries makes every insert check them.
            connection.execute(text("TRUNCATE concern_counts"))
        else:
            deleting = delete(ConcernCount)
            if first_month is not None:
                deleting = deleting.where(ConcernCount.month_start >= first_month)
            connection.execute(deleting)
        _delete_marks(
            session,
            (
                mark_id
                for part, ids in marks.items()
                if first_month is None or part.month_start >= first_month
                for mark_id in ids
            ),
        )
        if span is None:
            return 0
        parts = parts_between(first_month or span[0], span[1])
        if not parts:
            return 0
        inserting = insert_part(connection.dialect.name)
        return _rowcount(connection.execute(inserting, [_params(p) for p in parts]))


def _span(session: Session) -> tuple[date, date] | None:
    """First and last Europe/London day holding a counted concern.

    Two ordered, limited reads rather than min() and max(): with the WHERE clause SQLite
    would scan every row for min/max, where an index walk stops at the first match.
    """
    edges = [
        session.scalar(select(Concern.submitted_at).where(counted()).order_by(order).limit(1))
        for order in (Concern.submitted_at.asc(), Concern.submitted_at.desc())
    ]
    session.rollback()
    if edges[0] is None or edges[1] is None:
        return None
    return london_today(edges[0]), london_today(edges[1])


def rebuild_job(session: Session, period: Period, context: JobContext) -> JobResult:
    """A full rebuild as a scheduled job: picks up every later change to past concerns."""
    return JobResult(rows=rebuild_rollups(session))
