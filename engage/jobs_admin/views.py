"""The job runs page: read-only; jobs are run by the scheduler or ``engage jobs run``."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, render_template

from engage.auth.access import allow
from engage.extensions import db
from engage.jobs_admin import JOBS_ROLES, blueprint
from engage.jobs_cli import catalogue_for
from engage.london_time import LONDON
from jobs.runner import last_runs, recent_runs
from jobs.scheduler import next_fire_time

RUNS_SHOWN = 200


def _local(moment: datetime | None) -> str:
    return moment.astimezone(LONDON).strftime("%-d %b %Y %H:%M:%S") if moment else ""


@blueprint.get("/staff/jobs")
@allow(*JOBS_ROLES)
def runs() -> str:
    session = db.session()
    catalogue = catalogue_for(current_app)
    now = datetime.now(UTC)
    last = last_runs(session, [spec.name for spec in catalogue.jobs])
    schedule = [
        {
            "spec": spec,
            "next": _local(next_fire_time(spec, catalogue.timezone, now)),
            "last": last.get(spec.name),
        }
        for spec in catalogue.jobs
    ]
    return render_template(
        "jobs_admin/runs.html",
        nav_active="jobs",
        schedule=schedule,
        runs=recent_runs(session, RUNS_SHOWN),
        shown=RUNS_SHOWN,
        local=_local,
    )
