"""The catalogue in config/schedules.yaml and the scheduler built from it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from jobs.catalogue import CatalogueError, load_catalogue
from jobs.framework import Period
from jobs.scheduler import build_scheduler, fire, next_fire_time

CONFIG = Path(__file__).resolve().parents[2] / "config"


def test_every_job_in_the_catalogue_can_be_imported_and_scheduled() -> None:
    catalogue = load_catalogue(CONFIG)
    names = [spec.name for spec in catalogue.jobs]
    assert {"rollup-day", "classify-pending", "retention", "retrain-classifier"} <= set(names)
    for spec in catalogue.jobs:
        assert callable(spec.function())
    scheduler = build_scheduler(catalogue, lambda spec, period, by: None)
    assert sorted(job.id for job in scheduler.get_jobs()) == sorted(names)
    assert catalogue.settings["retention_months"] == 12


def test_a_firing_processes_the_previous_or_current_period() -> None:
    catalogue = load_catalogue(CONFIG)
    fired = datetime(2026, 11, 23, 1, 15, tzinfo=UTC)  # a Monday
    assert catalogue.get("rollup-day").scheduled_period(fired) == Period.parse("2026-11-22")
    assert catalogue.get("retrain-classifier").scheduled_period(fired) == Period.parse("2026-10")
    # 00:30 BST on 1 July is still 30 June in UTC: the London date decides.
    summer = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert catalogue.get("rollup-day").scheduled_period(summer) == Period.parse("2026-06-30")


def test_schedules_are_london_times_in_summer_and_winter() -> None:
    spec = load_catalogue(CONFIG).get("rollup-day")  # 01:15 every day
    winter = next_fire_time(spec, "Europe/London", datetime(2026, 1, 10, 12, tzinfo=UTC))
    summer = next_fire_time(spec, "Europe/London", datetime(2026, 7, 10, 12, tzinfo=UTC))
    assert winter is not None
    assert summer is not None
    assert winter.astimezone(UTC) == datetime(2026, 1, 11, 1, 15, tzinfo=UTC)
    assert summer.astimezone(UTC) == datetime(2026, 7, 11, 0, 15, tzinfo=UTC)


def test_a_failing_firing_does_not_stop_the_scheduler() -> None:
    spec = load_catalogue(CONFIG).get("rollup-day")
    seen: list[Period] = []

    def run(spec: object, period: Period, by: str) -> None:
        seen.append(period)
        raise RuntimeError("database unreachable")

    fire(spec, run, now=lambda: datetime(2026, 11, 23, 1, 15, tzinfo=UTC))
    assert seen == [Period("day", date(2026, 11, 22))]


def test_a_catalogue_with_mistakes_is_refused(tmp_path: Path) -> None:
    (tmp_path / "schedules.yaml").write_text(
        "jobs:\n  - {name: x, function: 'jobs.rollups:rollup_period', grain: year,"
        " cron: '* * * * *'}\n"
    )
    with pytest.raises(CatalogueError, match="grain must be day, week or month"):
        load_catalogue(tmp_path)
    (tmp_path / "schedules.yaml").write_text(
        "jobs:\n  - {name: x, function: 'jobs.nowhere:run', grain: day, cron: '* * * * *'}\n"
    )
    with pytest.raises(CatalogueError, match="cannot import"):
        load_catalogue(tmp_path).get("x").function()
