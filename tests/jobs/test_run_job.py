"""run_job: a job claims its period, so a period is done once whoever asks, and every run
is recorded with its outcome."""

from __future__ import annotations

import shutil
import threading
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.extensions import db
from engage.models import JobRun
from engage.sqlite_library import sqlite_dbapi
from jobs.catalogue import JobSpec
from jobs.framework import JobContext, JobResult, Period, attempt_job, run_job
from jobs.scheduler import fire
from tests.jobs.conftest import concern

DAY = Period("day", date(2026, 11, 21))
NOW = datetime(2026, 11, 22, 1, 15, tzinfo=UTC)


def context(by: str = "test") -> JobContext:
    return JobContext(now=NOW, triggered_by=by, settings={})


class Counting:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[Period] = []
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self, session: Session, period: Period, ctx: JobContext) -> JobResult:
        with self.lock:
            self.calls.append(period)
        if self.fail:
            raise RuntimeError("the database went away")
        return JobResult(rows=7, detail={"note": "done"})


@freeze_time("2026-11-22 01:15:00")
def test_a_run_is_recorded_with_its_outcome(session: Session) -> None:
    job = Counting()
    run = run_job(session, "count", job, DAY, context("scheduler"))
    assert job.calls == [DAY]
    assert (run.job_name, run.period_key, run.outcome, run.rows) == (
        "count",
        "day:2026-11-21",
        "succeeded",
        7,
    )
    assert run.detail == {"note": "done"}
    assert run.triggered_by == "scheduler"
    assert run.started_at == run.finished_at == NOW


def test_a_period_already_done_is_not_done_again(session: Session) -> None:
    job = Counting()
    first = run_job(session, "count", job, DAY, context())
    again = attempt_job(session, "count", job, DAY, context())
    assert job.calls == [DAY]
    assert not again.ran
    assert again.run.id == first.id
    assert session.scalar(select(func.count()).select_from(JobRun)) == 1


def test_other_periods_and_other_jobs_are_separate_claims(session: Session) -> None:
    job = Counting()
    run_job(session, "count", job, DAY, context())
    run_job(session, "count", job, DAY.previous(), context())
    run_job(session, "other", job, DAY, context())
    run_job(session, "count", job, Period.containing("week", DAY.start), context())
    assert len(job.calls) == 4


def test_a_failure_is_recorded_and_runs_again_only_when_asked(session: Session) -> None:
    failing = Counting(fail=True)
    run = run_job(session, "count", failing, DAY, context())
    assert run.outcome == "failed"
    assert run.detail == {"error": "RuntimeError: the database went away"}
    assert run.rows is None

    working = Counting()
    assert run_job(session, "count", working, DAY, context()).outcome == "failed"
    assert working.calls == []

    retried = run_job(session, "count", working, DAY, context("cli"), rerun=True)
    assert working.calls == [DAY]
    assert (retried.id, retried.outcome, retried.rows) == (run.id, "succeeded", 7)
    assert retried.triggered_by == "cli"


def test_rerun_runs_a_succeeded_period_again(session: Session) -> None:
    job = Counting()
    run_job(session, "count", job, DAY, context())
    attempt = attempt_job(session, "count", job, DAY, context(), rerun=True)
    assert attempt.ran
    assert job.calls == [DAY, DAY]


def _session_for(app: Flask) -> Session:
    from engage.extensions import db

    return Session(db.engine)


def test_two_workers_racing_for_one_period_run_it_once(app: Flask) -> None:
    job = Counting()
    ready = threading.Barrier(2)
    outcomes: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        with app.app_context():
            own = _session_for(app)
            try:
                ready.wait()
                attempt = attempt_job(own, "count", job, DAY, context())
                outcomes.append((attempt.run.id, attempt.ran))
            except BaseException as error:  # reported below, not lost in the thread
                errors.append(error)
            finally:
                own.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(job.calls) == 1
    assert sorted(ran for _, ran in outcomes) == [False, True]
    assert len({run_id for run_id, _ in outcomes}) == 1


def test_two_schedulers_firing_together_run_the_period_once(app: Flask) -> None:
    """Two scheduler processes by mistake: both fire at 01:15, one run happens."""
    job = Counting()
    spec = JobSpec("count", "tests:unused", "day", "15 1 * * *", "previous", "")
    ready = threading.Barrier(2)

    def scheduler_process() -> None:
        with app.app_context():
            own = _session_for(app)

            def run(spec: JobSpec, period: Period, by: str) -> JobRun:
                ready.wait()
                return run_job(own, spec.name, job, period, JobContext(NOW, by, {}))

            try:
                fire(spec, run, now=lambda: NOW)
            finally:
                own.close()

    threads = [threading.Thread(target=scheduler_process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert job.calls == [DAY]
    with app.app_context():
        own = _session_for(app)
        runs = own.scalars(select(JobRun)).all()
        assert [(r.period_key, r.outcome, r.triggered_by) for r in runs] == [
            ("day:2026-11-21", "succeeded", "scheduler")
        ]
        own.close()


class WritingInBulk:
    def __call__(self, session: Session, period: Period, ctx: JobContext) -> JobResult:
        with write_transaction(session):
            session.add_all(concern() for _ in range(200))
        return JobResult(rows=200)


def concerns_in_the_file_alone(database: Path, tmp_path: Path) -> int:
    """Count concerns in a copy of the database file without its WAL: only what has been
    checkpointed."""
    copy = tmp_path / "without-wal.sqlite3"
    shutil.copyfile(database, copy)
    connection = sqlite_dbapi().connect(str(copy))
    try:
        return int(connection.execute("SELECT count(*) FROM concerns").fetchone()[0])
    finally:
        connection.close()


def test_on_sqlite_what_a_job_wrote_is_in_the_database_file_when_it_ends(
    sqlite_app: Flask, sqlite_url: str, tmp_path: Path
) -> None:
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    with sqlite_app.app_context():
        session = db.session()
        with write_transaction(session):
            session.add(concern())
        assert concerns_in_the_file_alone(database, tmp_path) == 0

        run = run_job(session, "bulk", WritingInBulk(), DAY, context())

        assert run.outcome == "succeeded"
        assert concerns_in_the_file_alone(database, tmp_path) == 201
