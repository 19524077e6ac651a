"""The jobs the scheduler runs, read from ``config/schedules.yaml``.

Each entry names a job function by dotted path (``jobs.rollups:rollup_period``), the grain
of the periods it processes, a cron expression in Europe/London time, and whether a
scheduled firing processes the ``previous`` period or the ``current`` one.

A job marked ``repeat: true`` (notification delivery) works through a queue rather than a
period, so every firing runs again: its claim on the period is retaken once the last run
has finished, and a firing while a run is still going does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from jobs.framework import GRAINS, Grain, JobFunction, Period, london_today

Which = Literal["previous", "current"]
SCHEDULES_FILE = "schedules.yaml"


class CatalogueError(ValueError):
    """``config/schedules.yaml`` names something we cannot use."""


@dataclass(frozen=True)
class JobSpec:
    name: str
    function_path: str
    grain: Grain
    cron: str
    period: Which
    description: str
    repeat: bool = False

    def function(self) -> JobFunction:
        module_name, _, attribute = self.function_path.partition(":")
        if not module_name or not attribute:
            raise CatalogueError(
                f"Job {self.name}: function must look like 'package.module:function', "
                f"not {self.function_path!r}"
            )
        try:
            found = getattr(import_module(module_name), attribute)
        except (ImportError, AttributeError) as error:
            raise CatalogueError(f"Job {self.name}: cannot import {self.function_path}") from error
        if not callable(found):
            raise CatalogueError(f"Job {self.name}: {self.function_path} is not callable")
        return cast(JobFunction, found)

    def scheduled_period(self, fired_at: datetime) -> Period:
        """The period a firing at ``fired_at`` processes."""
        current = Period.containing(self.grain, london_today(fired_at))
        return current.previous() if self.period == "previous" else current


@dataclass(frozen=True)
class Catalogue:
    timezone: str
    settings: dict[str, Any]
    jobs: tuple[JobSpec, ...]

    def get(self, name: str) -> JobSpec:
        for spec in self.jobs:
            if spec.name == name:
                return spec
        known = ", ".join(spec.name for spec in self.jobs)
        raise CatalogueError(f"There is no job called {name!r}. Jobs: {known}")


def load_catalogue(config_dir: Path) -> Catalogue:
    path = Path(config_dir) / SCHEDULES_FILE
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    specs: list[JobSpec] = []
    for entry in data.get("jobs", []):
        specs.append(_spec(entry))
    names = [spec.name for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise CatalogueError(f"{path}: job names appear twice: {', '.join(duplicates)}")
    return Catalogue(
        timezone=str(data.get("timezone", "Europe/London")),
        settings=dict(data.get("settings") or {}),
        jobs=tuple(specs),
    )


def _spec(entry: dict[str, Any]) -> JobSpec:
    name = str(entry.get("name", ""))
    if not name or len(name) > 60:
        raise CatalogueError(f"A job needs a name of 1 to 60 characters: {entry!r}")
    grain = entry.get("grain")
    if grain not in GRAINS:
        raise CatalogueError(f"Job {name}: grain must be day, week or month, not {grain!r}")
    which = entry.get("period", "previous")
    if which not in ("previous", "current"):
        raise CatalogueError(f"Job {name}: period must be previous or current, not {which!r}")
    cron = str(entry.get("cron", ""))
    if len(cron.split()) != 5:
        raise CatalogueError(f"Job {name}: cron needs five fields, not {cron!r}")
    return JobSpec(
        name=name,
        function_path=str(entry["function"]),
        grain=cast(Grain, grain),
        cron=cron,
        period=cast(Which, which),
        description=str(entry.get("description", "")),
        repeat=entry.get("repeat", False) is True,
    )
