"""The commands: engage jobs run / list / rebuild-rollups, demo-data; and the admin page."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.jobs_cli import demo_data_command, jobs
from engage.models import Concern, ConcernCount, JobRun
from tests.factories import signed_in, staff_user
from tests.jobs.conftest import add_concerns, concern
from tests.pages import Page


def test_run_a_job_by_hand_then_again(app: Flask, session: Session) -> None:
    add_concerns(session, [concern(submitted_at=datetime(2026, 11, 18, 12, tzinfo=UTC))])
    runner = app.test_cli_runner()

    first = runner.invoke(jobs, ["run", "rollup-day", "--period", "2026-11-18"])
    assert first.exit_code == 0, first.output
    assert "rollup-day day:2026-11-18: succeeded, 1 row(s)" in first.output

    again = runner.invoke(jobs, ["run", "rollup-day", "--period", "2026-11-18"])
    assert again.exit_code == 0
    assert "already succeeded" in again.output
    assert "nothing done" in again.output

    rerun = runner.invoke(jobs, ["run", "rollup-day", "--period", "2026-11-18", "--rerun"])
    assert "succeeded, 1 row(s)" in rerun.output
    session.rollback()
    assert session.scalar(select(func.count()).select_from(JobRun)) == 1
    assert session.scalar(select(func.sum(ConcernCount.concerns))) == 1


def test_run_explains_what_it_cannot_do(app: Flask) -> None:
    runner = app.test_cli_runner()
    unknown = runner.invoke(jobs, ["run", "make-tea"])
    assert unknown.exit_code != 0
    assert "There is no job called 'make-tea'" in unknown.output
    bad = runner.invoke(jobs, ["run", "rollup-day", "--period", "next tuesday"])
    assert bad.exit_code != 0
    assert "Cannot read the period" in bad.output
    wrong_grain = runner.invoke(jobs, ["run", "rollup-day", "--period", "2026-W47"])
    assert wrong_grain.exit_code != 0
    assert "rollup-day works on a day at a time" in wrong_grain.output


def test_a_failed_run_exits_non_zero(app: Flask, tmp_path: object) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(jobs, ["run", "classify-pending", "--period", "2026-11-18"])
    assert result.exit_code == 1
    assert "failed" in result.output
    assert "ModelUnavailable" in result.output


def test_list_shows_schedules_and_last_runs(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    runner.invoke(jobs, ["run", "rollup-day", "--period", "2026-11-18"])
    result = runner.invoke(jobs, ["list"])
    assert result.exit_code == 0, result.output
    assert "rollup-day  (day, previous period)  cron '15 1 * * *'" in result.output
    assert "last: day:2026-11-18 succeeded" in result.output
    assert "retention" in result.output
    assert "last: never run" in result.output
    assert "next: " in result.output


def test_rebuild_rollups(app: Flask, session: Session) -> None:
    add_concerns(
        session,
        [
            concern(submitted_at=datetime(2026, 10, 5, 12, tzinfo=UTC)),
            concern(submitted_at=datetime(2026, 11, 5, 12, tzinfo=UTC)),
        ],
    )
    runner = app.test_cli_runner()
    result = runner.invoke(jobs, ["rebuild-rollups"])
    assert result.exit_code == 0, result.output
    assert "Rollups rebuilt: 2 row(s)." in result.output
    partial = runner.invoke(jobs, ["rebuild-rollups", "--from", "2026-11-20"])
    assert "Rollups rebuilt: 1 row(s)." in partial.output
    session.rollback()
    days = session.scalars(select(ConcernCount.day)).all()
    assert [day.replace(day=1) for day in sorted(days)] == [date(2026, 10, 1), date(2026, 11, 1)]


def test_demo_data_command(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(demo_data_command, ["--concerns", "500", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "Added 500 demo concerns" in result.output
    assert "Rollups rebuilt" in result.output
    session.rollback()
    assert session.scalar(select(func.sum(ConcernCount.concerns))) == session.scalar(
        select(func.count()).select_from(Concern).where(Concern.duplicate_of_id.is_(None))
    )


def test_demo_data_command_refuses_real_concerns(app: Flask, session: Session) -> None:
    add_concerns(session, [concern()])
    result = app.test_cli_runner().invoke(demo_data_command, ["--concerns", "50"])
    assert result.exit_code != 0
    assert "not demo data" in result.output


def test_admins_see_job_runs(app: Flask, client: FlaskClient, session: Session) -> None:
    app.test_cli_runner().invoke(jobs, ["run", "rollup-day", "--period", "2026-11-18"])
    admin = staff_user(session, role="admin")
    response = signed_in(client, admin).get("/staff/jobs")
    assert response.status_code == 200
    page = Page.of(response.data)
    assert page.heading == "Jobs"
    assert "day:2026-11-18" in page.text()
    assert "Succeeded" in page.text()
    assert "rollup-day" in page.text()


def test_only_admins_see_job_runs(app: Flask, client: FlaskClient, session: Session) -> None:
    analyst = staff_user(session, role="analyst")
    assert signed_in(client, analyst).get("/staff/jobs").status_code == 403
