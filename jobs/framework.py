"""Periods, job contexts and results, and ``run_job``: claim a period, run, record the run.

A job is ``function(session, period, context) -> JobResult``. ``run_job`` claims
``(job name, period key)`` in ``job_runs`` (a unique key), so a second scheduler, a retry
or a manual run of a period already claimed does nothing. A failed run is recorded as
``failed`` with the error, and runs again only when asked (``rerun=True``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engage.database import checkpoint_wal, write_transaction
from engage.london_time import LONDON as LONDON
from engage.london_time import london_day
from engage.london_time import london_midnight_utc as london_midnight_utc
from engage.models import JobRun

log = logging.getLogger(__name__)

Grain = Literal["day", "week", "month"]
GRAINS: tuple[Grain, ...] = ("day", "week", "month")

# A claim still 'running' after this long belongs to a process that died; --rerun may retake it.
STALE_CLAIM = timedelta(hours=6)

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    """A period written in a form we cannot read, or a start that does not begin its grain."""


london_today = london_day


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _aligned_start(grain: Grain, day: date) -> date:
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


@dataclass(frozen=True, order=True)
class Period:
    """A Europe/London calendar day, ISO week (Monday start) or month."""

    grain: Grain
    start: date

    def __post_init__(self) -> None:
        if self.grain not in GRAINS:
            raise PeriodError(f"Unknown grain {self.grain!r}: use day, week or month")
        if _aligned_start(self.grain, self.start) != self.start:
            raise PeriodError(f"{self.start.isoformat()} does not start a {self.grain}")

    @property
    def end(self) -> date:
        """The first day after the period (exclusive)."""
        if self.grain == "day":
            return self.start + timedelta(days=1)
        if self.grain == "week":
            return self.start + timedelta(days=7)
        return _add_months(self.start, 1)

    @property
    def key(self) -> str:
        return f"{self.grain}:{self.start.isoformat()}"

    @property
    def label(self) -> str:
        """The short form people type: 2026-11-21, 2026-W47, 2026-11."""
        if self.grain == "day":
            return self.start.isoformat()
        if self.grain == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return self.start.strftime("%Y-%m")

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days)]

    def previous(self, n: int = 1) -> Period:
        return self.shift(-n)

    def next(self, n: int = 1) -> Period:
        return self.shift(n)

    def shift(self, n: int) -> Period:
        if self.grain == "day":
            return Period("day", self.start + timedelta(days=n))
        if self.grain == "week":
            return Period("week", self.start + timedelta(days=7 * n))
        return Period("month", _add_months(self.start, n))

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    @classmethod
    def containing(cls, grain: Grain, day: date) -> Period:
        return cls(grain, _aligned_start(grain, day))

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read ``2026-11-21``, ``2026-W47``, ``2026-11`` or a key like ``week:2026-11-16``."""
        value = text.strip()
        if ":" in value:
            grain, _, rest = value.partition(":")
            if grain not in GRAINS:
                raise PeriodError(f"Unknown grain {grain!r} in {text!r}: use day, week or month")
            return cls(grain, _parse_date(rest, text))
        if _DAY.match(value):
            return cls("day", _parse_date(value, text))
        if match := _WEEK.match(value):
            year, week = int(match.group(1)), int(match.group(2))
            try:
                return cls("week", date.fromisocalendar(year, week, 1))
            except ValueError:
                raise PeriodError(f"{text!r} is not an ISO week") from None
        if match := _MONTH.match(value):
            year, month = int(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(f"{text!r} is not a month")
            return cls("month", date(year, month, 1))
        raise PeriodError(
            f"Cannot read the period {text!r}: write 2026-11-21, 2026-W47, 2026-11 "
            "or week:2026-11-16"
        )

    def bounds_utc(self) -> tuple[datetime, datetime]:
        """UTC instants for ``submitted_at >= start AND submitted_at < end``."""
        return london_midnight_utc(self.start), london_midnight_utc(self.end)

    def __str__(self) -> str:
        return self.key


def _parse_date(value: str, original: str) -> date:
    if not _DAY.match(value.strip()):
        raise PeriodError(f"Cannot read the date in {original!r}: write YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(f"{original!r} is not a calendar date") from None


@dataclass(frozen=True)
class JobContext:
    """What a job may know besides its session and period.

    ``settings`` holds model_dir, outbox_dir, retention_months, smtp (dict or None) and
    config_dir; ``now`` is the instant the run was asked for (frozen in tests).
    """

    now: datetime
    triggered_by: str
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobResult:
    rows: int
    detail: dict[str, Any] = field(default_factory=dict)


JobFunction = Callable[[Session, Period, JobContext], JobResult]


def _clock() -> datetime:
    return datetime.now(UTC)


def _claim(
    session: Session, name: str, period: Period, context: JobContext, *, rerun: bool
) -> JobRun | None:
    """Take the claim on (name, period); None when someone else holds or finished it."""
    started = _clock()
    try:
        with write_transaction(session):
            run = JobRun(
                job_name=name,
                period_key=period.key,
                started_at=started,
                outcome="running",
                rows=None,
                detail={},
                triggered_by=context.triggered_by[:40],
            )
            session.add(run)
        return run
    except IntegrityError:
        pass
    if not rerun:
        return None
    # Retake a finished (or long-dead) claim; the WHERE makes two reruns race safely.
    with write_transaction(session):
        result = session.execute(
            update(JobRun)
            .where(
                JobRun.job_name == name,
                JobRun.period_key == period.key,
                (JobRun.outcome != "running") | (JobRun.started_at < started - STALE_CLAIM),
            )
            .values(
                started_at=started,
                finished_at=None,
                outcome="running",
                rows=None,
                detail={"rerun": True},
                triggered_by=context.triggered_by[:40],
            )
            .execution_options(synchronize_session=False)
        )
        taken = cast(Any, result).rowcount == 1
    if not taken:
        return None
    return _existing(session, name, period)


def _existing(session: Session, name: str, period: Period) -> JobRun:
    session.expire_all()
    run = session.scalars(
        select(JobRun).where(JobRun.job_name == name, JobRun.period_key == period.key)
    ).one()
    return run


@dataclass(frozen=True)
class Attempt:
    """A period's run record, and whether this call ran the job (False: it was claimed)."""

    run: JobRun
    ran: bool


def run_job(
    session: Session,
    name: str,
    function: JobFunction,
    period: Period,
    context: JobContext,
    *,
    rerun: bool = False,
) -> JobRun:
    """Claim the period, run the job, record the outcome; return the period's run record.

    When the period is already claimed (and ``rerun`` is false, or another run is still
    going) nothing runs and the existing record is returned unchanged.
    """
    return attempt_job(session, name, function, period, context, rerun=rerun).run


def attempt_job(
    session: Session,
    name: str,
    function: JobFunction,
    period: Period,
    context: JobContext,
    *,
    rerun: bool = False,
) -> Attempt:
    """``run_job``, also saying whether this call did the work.

    On SQLite, what the job wrote is then checkpointed into the database file, so that a
    bulk job's pages are not left for a resident's next commit to copy.
    """
    if session.in_transaction():
        session.rollback()
    run = _claim(session, name, period, context, rerun=rerun)
    if run is None:
        existing = _existing(session, name, period)
        session.rollback()
        return Attempt(existing, ran=False)
    run_id = run.id
    try:
        result = function(session, period, context)
    except Exception as error:
        log.exception("Job %s for %s failed", name, period.key)
        session.rollback()
        _finish(session, run_id, "failed", None, {"error": f"{type(error).__name__}: {error}"})
    else:
        if session.in_transaction():
            # A job owns its transactions; anything it left open is not ours to commit.
            session.rollback()
        _finish(session, run_id, "succeeded", result.rows, result.detail)
    try:
        checkpoint_wal(session)
    except Exception:
        log.exception("Could not checkpoint the WAL after job %s; a later commit will", name)
    finished = session.get(JobRun, run_id)
    assert finished is not None
    return Attempt(finished, ran=True)


def _finish(
    session: Session, run_id: int, outcome: str, rows: int | None, detail: dict[str, Any]
) -> None:
    with write_transaction(session):
        session.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(outcome=outcome, rows=rows, detail=detail, finished_at=_clock())
            .execution_options(synchronize_session=False)
        )
    session.expire_all()
