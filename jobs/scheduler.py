"""The scheduler process: one APScheduler 3 ``BlockingScheduler`` firing each catalogue job on
its cron schedule (Europe/London). Start it with ``engage scheduler``; web workers never run
jobs.

Each firing works out the period the job processes (the previous or current day, week or
month) and hands it to ``run`` (``run_job`` with a session, in the app's wrapper). The job
stores nothing in APScheduler: jobs live in memory and are rebuilt from
``config/schedules.yaml`` at start. A second scheduler started by mistake is harmless:
both fire, but the claim on (job, period) in ``job_runs`` lets only one of them run it.
A firing missed while the process was down is run late (within ``MISFIRE_GRACE``), once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from jobs.catalogue import Catalogue, JobSpec
from jobs.framework import Period

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 6 * 60 * 60
RunFunction = Callable[[JobSpec, Period, str], Any]


def trigger_for(spec: JobSpec, timezone: str) -> CronTrigger:
    return CronTrigger.from_crontab(spec.cron, timezone=ZoneInfo(timezone))


def next_fire_time(spec: JobSpec, timezone: str, now: datetime) -> datetime | None:
    fire: datetime | None = trigger_for(spec, timezone).get_next_fire_time(None, now)
    return fire


def fire(spec: JobSpec, run: RunFunction, now: Callable[[], datetime] | None = None) -> None:
    """What one firing does: pick the period, run the job; never let an error stop the
    scheduler (the run record holds it)."""
    fired_at = (now or (lambda: datetime.now(UTC)))()
    period = spec.scheduled_period(fired_at)
    try:
        run(spec, period, "scheduler")
    except Exception:
        log.exception("Scheduled job %s for %s could not run", spec.name, period.key)


def build_scheduler(catalogue: Catalogue, run: RunFunction) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=ZoneInfo(catalogue.timezone))
    for spec in catalogue.jobs:
        scheduler.add_job(
            fire,
            trigger=trigger_for(spec, catalogue.timezone),
            args=[spec, run],
            id=spec.name,
            name=spec.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
        )
    return scheduler


def run_scheduler(catalogue: Catalogue, run: RunFunction) -> None:
    """Block, running jobs as they fall due, until interrupted."""
    for spec in catalogue.jobs:
        spec.function()  # fail at start, not at 1 a.m., if a job cannot be imported
    scheduler = build_scheduler(catalogue, run)
    log.info("Scheduler started with %d job(s)", len(catalogue.jobs))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("Scheduler stopped")
