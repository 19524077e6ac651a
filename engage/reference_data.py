"""Config data (areas, intake choices, service details) loaded once per app."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask import Flask, current_app

from engage.areas import Areas, IntakeOptions, load_areas, load_intake_options


@dataclass(frozen=True)
class SupportLine:
    name: str
    number: str
    when: str


@dataclass(frozen=True)
class ServiceDetails:
    service_name: str
    organisation: str
    organisation_short: str
    contact_email: str
    force_name: str
    online_crime_reporting_url: str
    exit_page_url: str
    support_lines: tuple[SupportLine, ...]


@cache
def load_service_details(path: Path) -> ServiceDetails:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    lines = tuple(SupportLine(**line) for line in data.pop("support_lines"))
    return ServiceDetails(support_lines=lines, **data)


@cache
def load_theme_names(path: Path) -> dict[str, str]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {theme["id"]: theme["name"] for theme in data["themes"]}


@dataclass(frozen=True)
class ReferenceData:
    areas: Areas
    intake: IntakeOptions
    service: ServiceDetails
    themes: dict[str, str]

    def theme_name(self, theme_id: str | None) -> str | None:
        return self.themes.get(theme_id) if theme_id else None


def register_reference_data(app: Flask) -> None:
    config_dir = Path(app.config["ENGAGE_CONFIG_DIR"])
    app.extensions["engage.reference_data"] = ReferenceData(
        areas=load_areas(config_dir / "areas.yaml"),
        intake=load_intake_options(config_dir / "intake.yaml"),
        service=load_service_details(config_dir / "service.yaml"),
        themes=load_theme_names(config_dir / "themes.yaml"),
    )


def reference_data() -> ReferenceData:
    data: ReferenceData = current_app.extensions["engage.reference_data"]
    return data
