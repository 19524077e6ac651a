"""Running a catalogue job by name, and reading back what runs there have been."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.models import JobRun
from jobs.catalogue import Catalogue
from jobs.framework import Attempt, JobContext, Period, attempt_job


def run_named(
    session: Session,
    catalogue: Catalogue,
    name: str,
    period: Period | None,
    settings: Mapping[str, Any],
    *,
    triggered_by: str,
    rerun: bool = False,
    now: datetime | None = None,
) -> Attempt:
    """Run the job called ``name`` for ``period`` (by default the one its schedule would)."""
    spec = catalogue.get(name)
    moment = now or datetime.now(UTC)
    if period is None:
        period = spec.scheduled_period(moment)
    elif period.grain != spec.grain:
        raise ValueError(
            f"{name} works on a {spec.grain} at a time; {period.label} is a {period.grain}"
        )
    context = JobContext(
        now=moment, triggered_by=triggered_by, settings={**catalogue.settings, **settings}
    )
    return attempt_job(session, name, spec.function(), period, context, rerun=rerun or spec.repeat)


def recent_runs(session: Session, limit: int = 100, job_name: str | None = None) -> list[JobRun]:
    statement = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job_name is not None:
        statement = statement.where(JobRun.job_name == job_name)
    return list(session.scalars(statement))


def last_runs(session: Session, names: Sequence[str]) -> dict[str, JobRun]:
    """The most recently started run of each named job."""
    latest = (
        select(JobRun.job_name, func.max(JobRun.started_at).label("started_at"))
        .where(JobRun.job_name.in_(list(names)))
        .group_by(JobRun.job_name)
        .subquery()
    )
    runs = session.scalars(
        select(JobRun).join(
            latest,
            (latest.c.job_name == JobRun.job_name) & (latest.c.started_at == JobRun.started_at),
        )
    )
    return {run.job_name: run for run in runs}
