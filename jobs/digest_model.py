"""What a digest holds: plain dataclasses of figures, and the names shown for ids.

Filled in by ``jobs.digest_data``; rendered by ``engage.reports``. No database, no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import ColumnElement

from engage.areas import load_areas
from engage.models import ConcernCount
from jobs.emerging import HOW_WE_FLAG
from jobs.framework import Period

DEALING_BASELINE = 0.717


@dataclass(frozen=True)
class Names:
    """Display names for ids, read from the config folder (no Flask needed)."""

    districts: dict[str, str]
    themes: dict[str, str]

    @classmethod
    def load(cls, config_dir: Path) -> Names:
        areas = load_areas(Path(config_dir) / "areas.yaml")
        data: dict[str, Any] = yaml.safe_load(
            (Path(config_dir) / "themes.yaml").read_text(encoding="utf-8")
        )
        themes = {t["id"]: t["name"] for t in data["themes"]}
        return cls({d.id: d.name for d in areas.districts}, themes)

    def district(self, district_id: str | None) -> str:
        if not district_id:
            return "Several districts"
        return self.districts.get(district_id, district_id)

    def theme(self, theme_id: str) -> str:
        if not theme_id:
            return "Not yet classified"
        return self.themes.get(theme_id, theme_id)


@dataclass(frozen=True)
class Filters:
    """What the figures are narrowed to; ``None`` means everything.

    ``neighbourhood`` is the name as in config, and only means something within its
    district (two districts could share a name), so it always comes with ``district``.
    """

    district: str | None = None
    theme: str | None = None
    channel: str | None = None
    neighbourhood: str | None = None

    def __post_init__(self) -> None:
        if self.neighbourhood and not self.district:
            raise ValueError("a neighbourhood filter needs its district")

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.district:
            conditions.append(ConcernCount.district == self.district)
        if self.neighbourhood:
            conditions.append(ConcernCount.neighbourhood == self.neighbourhood)
        if self.theme:
            conditions.append(ConcernCount.theme == self.theme)
        if self.channel:
            conditions.append(ConcernCount.channel == self.channel)
        return conditions

    @property
    def any(self) -> bool:
        return bool(self.district or self.theme or self.channel or self.neighbourhood)


@dataclass(frozen=True)
class ThemeChange:
    theme: str
    name: str
    count: int
    previous: int

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True)
class DistrictSummary:
    district: str
    name: str
    total: int
    previous_total: int
    top: list[ThemeChange]


@dataclass(frozen=True)
class Trend:
    periods: list[str]
    total: list[int]
    series: dict[str, list[int]]  # theme name -> counts, in period order


@dataclass(frozen=True)
class HeatMap:
    districts: list[str]  # display names, rows
    themes: list[str]  # display names, columns
    cells: list[list[int]]


@dataclass(frozen=True)
class EmergingRow:
    district: str
    theme: str
    count: int
    baseline_mean: float
    p_value: float

    @property
    def ratio(self) -> float:
        return self.count / self.baseline_mean if self.baseline_mean else float("inf")


@dataclass(frozen=True)
class Quote:
    concern_id: int
    text: str


@dataclass(frozen=True)
class TopicRow:
    top_terms: list[str]
    size: int
    district: str
    quotes: list[Quote]


@dataclass(frozen=True)
class ChannelShare:
    channel: str
    label: str
    count: int
    share: float


@dataclass(frozen=True)
class DealingShare:
    agree: int
    disagree: int
    dont_know: int
    previous_share: float | None
    baseline: float = DEALING_BASELINE

    @property
    def answered(self) -> int:
        return self.agree + self.disagree + self.dont_know

    @property
    def share(self) -> float | None:
        return self.agree / self.answered if self.answered else None


@dataclass(frozen=True)
class ThemeQuotes:
    theme: str
    name: str
    quotes: list[Quote]


@dataclass(frozen=True)
class DigestData:
    kind: str
    period: Period
    previous: Period
    generated_at: datetime
    filters: Filters
    filter_names: dict[str, str]
    total: int
    previous_total: int
    top_themes: list[ThemeChange]
    districts: list[DistrictSummary]
    trend: Trend
    heatmap: HeatMap
    emerging: list[EmergingRow]
    new_topics: list[TopicRow]
    channels: list[ChannelShare]
    dealing: DealingShare
    quotes: list[ThemeQuotes]
    how_we_flag: str = HOW_WE_FLAG
    notes: list[str] = field(default_factory=list)

    @property
    def period_text(self) -> str:
        return describe_period(self.period)

    @property
    def title(self) -> str:
        return f"{self.kind.capitalize()} digest: {self.period_text}"


def describe_period(period: Period) -> str:
    last = date.fromordinal(period.end.toordinal() - 1)
    if period.grain == "month":
        return period.start.strftime("%B %Y")
    if period.grain == "week":
        return f"week {period.label} ({period.start:%-d %B} to {last:%-d %B %Y})"
    return period.start.strftime("%-d %B %Y")
