"""The thin wrapper that gives jobs the app: settings, a session, and the ``engage`` commands.

``engage jobs run NAME [--period P] [--rerun]``, ``engage jobs list``,
``engage jobs rebuild-rollups [--from DATE]``, ``engage scheduler`` (the one process that
runs scheduled jobs) and ``engage demo-data``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo, with_appcontext

from engage.london_time import LONDON
from engage.models import JobRun
from jobs.catalogue import Catalogue, CatalogueError, JobSpec, load_catalogue
from jobs.framework import Attempt, Period, PeriodError


def catalogue_for(app: Flask) -> Catalogue:
    return load_catalogue(Path(app.config["ENGAGE_CONFIG_DIR"]))


def job_settings(app: Flask, catalogue: Catalogue) -> dict[str, Any]:
    """What jobs may read from the app's settings (JobContext.settings)."""
    settings: dict[str, Any] = dict(catalogue.settings)
    settings.setdefault("retention_months", 12)
    if app.config.get("ENGAGE_RETENTION_MONTHS"):
        settings["retention_months"] = int(app.config["ENGAGE_RETENTION_MONTHS"])
    settings.update(
        model_dir=Path(app.config["ENGAGE_MODEL_DIR"]),
        outbox_dir=Path(app.config["ENGAGE_OUTBOX_DIR"]),
        config_dir=Path(app.config["ENGAGE_CONFIG_DIR"]),
        smtp=app.config.get("ENGAGE_SMTP") or None,
        ner_model=app.config.get("ENGAGE_NER_MODEL") or None,
        public_url=app.config.get("ENGAGE_PUBLIC_URL") or None,
        secret_key=app.config.get("SECRET_KEY") or None,
    )
    return settings


def run_in_app(
    app: Flask, name: str, period: Period | None, *, triggered_by: str, rerun: bool = False
) -> Attempt:
    """Run one job with a fresh session inside the app context; the session is closed after."""
    from engage.extensions import db
    from jobs.runner import run_named

    with app.app_context():
        catalogue = catalogue_for(app)
        try:
            attempt = run_named(
                db.session(),
                catalogue,
                name,
                period,
                job_settings(app, catalogue),
                triggered_by=triggered_by,
                rerun=rerun,
            )
            db.session.refresh(attempt.run)  # loaded, so it can be read after the session ends
            db.session.expunge(attempt.run)
            return attempt
        finally:
            db.session.remove()


def _period(value: str | None) -> Period | None:
    if value is None:
        return None
    try:
        return Period.parse(value)
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="--period") from error


@click.group("jobs")
def jobs() -> None:
    """Scheduled jobs: run one by hand, list them, rebuild the rollups."""


@jobs.command("run")
@click.argument("name")
@click.option("--period", "period_text", help="2026-11-21, 2026-W47, 2026-11 or week:2026-11-16")
@click.option("--rerun", is_flag=True, help="Run again a period already done (or failed).")
@with_appcontext
def run_command(name: str, period_text: str | None, rerun: bool) -> None:
    """Run the job NAME for a period (by default, the one its schedule would run next)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        catalogue_for(app).get(name)
        attempt = run_in_app(app, name, _period(period_text), triggered_by="cli", rerun=rerun)
    except (CatalogueError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    run = attempt.run
    if not attempt.ran:
        click.echo(
            f"{name} {run.period_key}: already {run.outcome} "
            f"(started {_local(run.started_at)}); nothing done. Use --rerun to run it again."
        )
        return
    click.echo(f"{name} {run.period_key}: {run.outcome}, {run.rows or 0} row(s). {_detail(run)}")
    if run.outcome == "failed":
        raise click.exceptions.Exit(1)


def _detail(run: JobRun) -> str:
    detail = dict(run.detail or {})
    detail.pop("rerun", None)
    return ", ".join(f"{key}: {value}" for key, value in detail.items())


def _local(moment: datetime | None) -> str:
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if moment else "-"


@jobs.command("list")
@with_appcontext
def list_command() -> None:
    """Show each job's schedule, next firing and last run."""
    from engage.extensions import db
    from jobs.runner import last_runs
    from jobs.scheduler import next_fire_time

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    catalogue = catalogue_for(app)
    last = last_runs(db.session(), [spec.name for spec in catalogue.jobs])
    now = datetime.now(UTC)
    for spec in catalogue.jobs:
        run = last.get(spec.name)
        click.echo(f"{spec.name}  ({spec.grain}, {spec.period} period)  cron '{spec.cron}'")
        click.echo(f"    {spec.description}")
        click.echo(f"    next: {_local(next_fire_time(spec, catalogue.timezone, now))}")
        if run is None:
            click.echo("    last: never run")
        else:
            click.echo(
                f"    last: {run.period_key} {run.outcome} at {_local(run.started_at)}, "
                f"{run.rows if run.rows is not None else '-'} row(s)"
            )


@jobs.command("rebuild-rollups")
@click.option(
    "--from",
    "since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Rebuild from the month holding this date (YYYY-MM-DD); everything by default.",
)
@with_appcontext
def rebuild_command(since: datetime | None) -> None:
    """Recount every rollup (or those from a date) from the concerns, in one transaction."""
    from engage.extensions import db
    from jobs.rollups import rebuild_rollups

    first: date | None = since.date() if since else None
    try:
        rows = rebuild_rollups(db.session(), first)
    finally:
        db.session.remove()
    click.echo(f"Rollups rebuilt: {rows} row(s).")


@click.command("scheduler")
@click.pass_obj
def scheduler_command(info: ScriptInfo) -> None:
    """Run scheduled jobs (one process; a second one is harmless but pointless)."""
    import logging

    from jobs.scheduler import run_scheduler

    app = info.load_app()
    catalogue = catalogue_for(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    def run(spec: JobSpec, period: Period, triggered_by: str) -> Attempt:
        return run_in_app(app, spec.name, period, triggered_by=triggered_by)

    click.echo(f"Scheduler running {len(catalogue.jobs)} job(s); Ctrl+C stops it.")
    run_scheduler(catalogue, run)


@click.command("demo-data")
@click.option("--concerns", default=20_000, show_default=True, type=click.IntRange(1, 5_000_000))
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--months", default=15, show_default=True, type=click.IntRange(12, 60))
@click.option("--replace", is_flag=True, help="Delete earlier demo data first.")
@click.option("--no-rollups", is_flag=True, help="Do not rebuild the rollups afterwards.")
@with_appcontext
def demo_data_command(
    concerns: int, seed: int, months: int, replace: bool, no_rollups: bool
) -> None:
    """Fill an empty database with clearly marked synthetic concerns (never real ones)."""
    from engage.extensions import db
    from jobs.demo_data import DemoDataRefused, generate_demo_data
    from jobs.rollups import rebuild_rollups

    session = db.session()
    try:
        summary = generate_demo_data(
            session,
            concerns=concerns,
            seed=seed,
            months=months,
            config_dir=Path(current_app.config["ENGAGE_CONFIG_DIR"]),
            replace=replace,
        )
        rows = None if no_rollups else rebuild_rollups(session)
    except DemoDataRefused as error:
        raise click.ClickException(str(error)) from error
    finally:
        db.session.remove()
    click.echo(
        f"Added {summary.concerns} demo concerns from {summary.first_day} to "
        f"{summary.last_day} ({summary.duplicates} duplicates, {summary.contacts} with contact "
        f"details, {summary.spike_concerns} planted drug concerns in Wisbech in the last "
        "21 days)."
    )
    if rows is not None:
        click.echo(f"Rollups rebuilt: {rows} row(s).")
