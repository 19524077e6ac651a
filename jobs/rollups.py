"""Rollups: concerns counted per day, ISO week and month x district x neighbourhood x theme x
channel, into ``concern_counts``, by SQL aggregation in the database.

Every period is written in one transaction: delete its rows, insert them again, so a rerun
is always safe. Periods are Europe/London calendar periods; a period's UTC bounds come from
``Period.bounds_utc`` (zoneinfo), which is right on both sides of a clock change on SQLite
(no time zone database) as on PostgreSQL.

Counted: every concern not merged into another (``duplicate_of_id`` is null) and not
quarantined. Empty strings stand for no neighbourhood and for not yet classified.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypeAlias

from sqlalchemy import (
    Date,
    Select,
    String,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engage.database import write_transaction
from engage.models import Concern, ConcernCount, UTCDateTime
from jobs.framework import GRAINS, JobContext, JobResult, Period, london_today

KEY_COLUMNS = ("district", "neighbourhood", "theme", "channel")
MEASURES = ("concerns", "urgent", "agree", "disagree", "dont_know")
Source: TypeAlias = "Select[*tuple[Any, ...]]"
_TARGET = ("grain", "period_start", *KEY_COLUMNS, *MEASURES)


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


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _params(period: Period) -> dict[str, Any]:
    low, high = period.bounds_utc()
    return {
        "grain": period.grain,
        "start": period.start,
        "end": period.end,
        "low": low,
        "high": high,
    }


def _from_concerns() -> Source:
    """One period's counts straight from ``concerns``, between its UTC bounds.

    Built once with parameters, so a rebuild runs it for every day as one executemany.
    """
    neighbourhood = func.coalesce(Concern.neighbourhood, literal_column("''"))
    theme = func.coalesce(Concern.theme, literal_column("''"))
    return (
        select(
            bindparam("grain", type_=String()),
            bindparam("start", type_=Date()),
            Concern.district,
            neighbourhood,
            theme,
            Concern.channel,
            func.count(),
            _flag(Concern.urgency == "urgent"),
            _flag(Concern.dealing_with_concerns == "agree"),
            _flag(Concern.dealing_with_concerns == "disagree"),
            _flag(Concern.dealing_with_concerns == "dont_know"),
        )
        .where(
            Concern.submitted_at >= bindparam("low", type_=UTCDateTime()),
            Concern.submitted_at < bindparam("high", type_=UTCDateTime()),
            counted(),
        )
        .group_by(Concern.district, neighbourhood, theme, Concern.channel)
    )


def _from_days() -> Source:
    """A week's or month's counts summed from its day rows (a range of the primary key)."""
    keys = [getattr(ConcernCount, name) for name in KEY_COLUMNS]
    return (
        select(
            bindparam("grain", type_=String()),
            bindparam("start", type_=Date()),
            *keys,
            *(func.sum(getattr(ConcernCount, name)) for name in MEASURES),
        )
        .where(
            ConcernCount.grain == "day",
            ConcernCount.period_start >= bindparam("start", type_=Date()),
            ConcernCount.period_start < bindparam("end", type_=Date()),
        )
        .group_by(*keys)
    )


# preserve_rowcount: SQLAlchemy keeps an INSERT's row count only when asked.
INSERT_FROM_CONCERNS = (
    insert(ConcernCount)
    .from_select(list(_TARGET), _from_concerns())
    .execution_options(preserve_rowcount=True)
)
INSERT_FROM_DAYS = (
    insert(ConcernCount)
    .from_select(list(_TARGET), _from_days())
    .execution_options(preserve_rowcount=True)
)
DELETE_PERIOD = delete(ConcernCount).where(
    ConcernCount.grain == bindparam("grain", type_=String()),
    ConcernCount.period_start == bindparam("start", type_=Date()),
)


def _rowcount(result: object) -> int:
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def write_period(session: Session, period: Period) -> int:
    """Recount one period from ``concerns`` in its own transaction; the rows written."""
    with write_transaction(session):
        connection = session.connection()
        params = _params(period)
        connection.execute(DELETE_PERIOD, params)
        return _rowcount(connection.execute(INSERT_FROM_CONCERNS, params))


def rollup_period(session: Session, period: Period, context: JobContext) -> JobResult:
    """The scheduled rollup: the period itself and, for a day, the week and month holding it.

    The week and month are recounted from ``concerns`` (not summed from day rows), so a
    concern logged late for an earlier day of the same week or month is picked up too.
    """
    periods = [period]
    if period.grain == "day":
        periods += [Period.containing(g, period.start) for g in GRAINS if g != "day"]
    written = {p.key: write_period(session, p) for p in periods}
    return JobResult(rows=sum(written.values()), detail={"rows_by_period": written})


def rebuild_rollups(session: Session, since: date | None = None) -> int:
    """Recount everything (or everything from the month holding ``since``) in one transaction.

    Days are counted from ``concerns`` one day at a time (each a range scan of the covering
    index; all days in one executemany); weeks and months are summed from those day rows.
    Returns the rows written. On PostgreSQL a full rebuild truncates the table, so readers
    of ``concern_counts`` wait for it to commit rather than see it half-built.
    """
    span = _span(session)
    with write_transaction(session):
        connection = session.connection()
        if since is None and connection.dialect.name == "postgresql":
            # TRUNCATE (transactional in PostgreSQL) rather than DELETE: re-inserting the same
            # keys over a million dead index entries makes every insert check them.
            connection.execute(text("TRUNCATE concern_counts"))
        else:
            deleting = delete(ConcernCount)
            if since is not None:
                deleting = deleting.where(ConcernCount.period_start >= _aligned(since))
            connection.execute(deleting)
        if span is None:
            return 0
        first = _aligned(since or span[0])
        last = span[1]
        days = [
            _params(Period("day", first + timedelta(days=n)))
            for n in range((last - first).days + 1)
        ]
        if not days:
            return 0
        rows = _rowcount(connection.execute(INSERT_FROM_CONCERNS, days))
        for grain in ("week", "month"):
            period = Period.containing(grain, first)
            if period.start < first:
                period = period.next()
            periods = []
            while period.start <= last:
                periods.append(_params(period))
                period = period.next()
            if periods:
                rows += _rowcount(connection.execute(INSERT_FROM_DAYS, periods))
    return rows


def _aligned(day: date) -> date:
    """The first day of the month holding ``day``, or of the week holding that 1st if earlier:
    from there every week and month touched is recounted whole."""
    month = Period.containing("month", day).start
    return min(month, Period.containing("week", month).start)


def _span(session: Session) -> tuple[date, date] | None:
    """First and last Europe/London day holding a counted concern."""
    low, high = session.execute(
        select(func.min(Concern.submitted_at), func.max(Concern.submitted_at)).where(counted())
    ).one()
    session.rollback()
    if low is None or high is None:
        return None
    return london_today(low), london_today(high)


def rebuild_job(session: Session, period: Period, context: JobContext) -> JobResult:
    """A full rebuild as a scheduled job: picks up later corrections to past concerns."""
    return JobResult(rows=rebuild_rollups(session))
