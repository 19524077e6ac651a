"""A panel pack: the evidence a neighbourhood panel reads before it sets its priorities.

Themes are ranked by a score anyone can check by hand: every counted concern in the
evidence period adds ``0.5 ** (age / half_life)`` to its primary theme, where ``age`` is
the number of days from the concern's Europe/London date to the period's last day. Scores
are compared to two decimal places; equal scores share a rank (shown "=2") and are listed
by theme name.

Any count under ``SMALL_NUMBER`` is shown only as "fewer than 5" (and a change from or to
such a count is not shown), so a pack never singles out one or two residents. Where a
hidden count could be worked out by subtraction from a total on the same page, another
count is withheld ("not shown") too: see ``protect`` and ``protected_total``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from engage.channels import channel_label
from engage.london_time import LONDON, london_midnight_utc
from engage.models import EmergingIssue, Panel, PanelMeeting
from engage.repository import panels as records
from engage.repository.panels import PackConcern

SMALL_NUMBER = 5
QUOTES_PER_THEME = 3
PERIOD_MONTHS = 3


@dataclass(frozen=True)
class Count:
    """A count as a pack may show it: the number, "fewer than 5", or "not shown" when the
    number is fine on its own but would let a reader work out a hidden one by subtraction."""

    value: int
    withheld: bool = False

    @property
    def suppressed(self) -> bool:
        return self.value < SMALL_NUMBER or self.withheld

    @property
    def shown(self) -> str:
        if self.value < SMALL_NUMBER:
            return f"fewer than {SMALL_NUMBER}"
        return "not shown" if self.withheld else f"{self.value:,}"

    def __str__(self) -> str:
        return self.shown


def protect(parts: Sequence[int], total: int) -> list[Count]:
    """Counts that add up to a ``total`` the pack also shows, with enough of them hidden that
    none under ``SMALL_NUMBER`` can be worked out by subtracting the others from the total.

    While the hidden parts add up to 1-4, the smallest part still shown is withheld too
    (the earliest on a tie). Hidden parts adding up to 0 give nobody away.
    """
    hidden = {i for i, value in enumerate(parts) if value < SMALL_NUMBER}
    withheld: set[int] = set()
    if total >= SMALL_NUMBER:
        while 0 < sum(parts[i] for i in hidden) < SMALL_NUMBER and len(hidden) < len(parts):
            smallest = min(
                (i for i in range(len(parts)) if i not in hidden), key=lambda i: (parts[i], i)
            )
            hidden.add(smallest)
            withheld.add(smallest)
    return [Count(value, withheld=i in withheld) for i, value in enumerate(parts)]


def protected_total(total: int, shown_parts: Sequence[Count]) -> Count:
    """A total, withheld when it minus the parts shown beside it would be 1-4."""
    rest = total - sum(part.value for part in shown_parts if not part.suppressed)
    return Count(total, withheld=0 < rest < SMALL_NUMBER)


@dataclass(frozen=True)
class PackPeriod:
    """Europe/London calendar dates, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> PackPeriod:
        """The period of equal length that ends the day before this one starts."""
        end = self.start - timedelta(days=1)
        return PackPeriod(end - timedelta(days=self.days - 1), end)

    def bounds_utc(self) -> tuple[datetime, datetime]:
        return london_midnight_utc(self.start), london_midnight_utc(self.end + timedelta(days=1))

    @property
    def label(self) -> str:
        return f"{_day(self.start)} to {_day(self.end)}"

    def months(self) -> list[date]:
        """The first day of each calendar month the period touches."""
        firsts = []
        month = self.start.replace(day=1)
        while month <= self.end:
            firsts.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return firsts


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def default_period(today: date) -> PackPeriod:
    """The last three full calendar months before ``today``'s month."""
    return months_ending(today.replace(day=1) - timedelta(days=1))


def months_ending(last_month: date) -> PackPeriod:
    """The three full calendar months ending with the month ``last_month`` is in."""
    end = (last_month.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    start = last_month.replace(day=1)
    for _ in range(PERIOD_MONTHS - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return PackPeriod(start, end)


@dataclass(frozen=True)
class PackSettings:
    half_life_days: float


@cache
def load_pack_settings(config_dir: Path) -> PackSettings:
    data = yaml.safe_load((Path(config_dir) / "panels.yaml").read_text(encoding="utf-8"))
    half_life = float(data["ranking"]["half_life_days"])
    if half_life <= 0:
        raise ValueError("config/panels.yaml: ranking.half_life_days must be more than 0")
    return PackSettings(half_life_days=half_life)


@dataclass(frozen=True)
class Quote:
    concern_id: int
    text: str
    submitted_on: date
    published: bool


@dataclass(frozen=True)
class ThemeFigures:
    theme: str
    name: str
    rank: int
    tied: bool
    score: float
    count: Count
    previous: Count
    channels: list[tuple[str, Count]]
    months: list[tuple[str, Count]]
    quotes: list[Quote] = field(default_factory=list)

    @property
    def rank_label(self) -> str:
        return f"={self.rank}" if self.tied else str(self.rank)

    @property
    def score_shown(self) -> str:
        """The score, except where it would hint at a count under ``SMALL_NUMBER``."""
        return "not shown" if self.count.suppressed else f"{self.score:.2f}"

    @property
    def trend(self) -> str:
        if self.previous.suppressed:
            return f"Previous period: {self.previous.shown}"
        if self.count.suppressed:
            return f"Previous period: {self.previous.shown}; change not shown"
        change = self.count.value - self.previous.value
        if change == 0:
            return f"No change from {self.previous.shown}"
        return f"{'Up' if change > 0 else 'Down'} {abs(change):,} from {self.previous.shown}"


@dataclass(frozen=True)
class EmergingRow:
    theme_name: str
    grain: str
    period_start: date
    count: Count


@dataclass(frozen=True)
class PanelPack:
    panel: Panel
    period: PackPeriod
    previous: PackPeriod
    half_life_days: float
    total: Count
    previous_total: Count
    unthemed: Count
    themes: list[ThemeFigures]
    emerging: list[EmergingRow]
    last_meeting: PanelMeeting | None
    generated_at: datetime

    @property
    def how_we_rank(self) -> str:
        half = f"{self.half_life_days:g}"
        return (
            "Each concern counts once, for its main theme (merged duplicates and quarantined "
            "concerns are left out). A concern from the last day of the period adds 1 to its "
            f"theme's score; the amount halves for every {half} days before that, so a concern "
            f"from {half} days earlier adds 0.5. Themes with equal scores (to two decimal "
            "places) share a rank, shown like =2, and are listed in alphabetical order. "
            f"Any number under {SMALL_NUMBER} is shown as 'fewer than {SMALL_NUMBER}', and a "
            "number that would let you work one of those out from a total is 'not shown'."
        )


def weight(submitted_at: datetime, period_end: date, half_life_days: float) -> float:
    age = (period_end - submitted_at.astimezone(LONDON).date()).days
    return float(0.5 ** (max(age, 0) / half_life_days))


@dataclass(frozen=True)
class _Ranked:
    theme: str
    score: float
    rank: int
    tied: bool


def rank_themes(
    concerns: Sequence[PackConcern],
    period_end: date,
    half_life_days: float,
    names: dict[str, str],
) -> list[_Ranked]:
    """Themes by score, highest first; equal scores (two decimal places) share a rank."""
    scores: dict[str, float] = defaultdict(float)
    for concern in concerns:
        if concern.theme:
            scores[concern.theme] += weight(concern.submitted_at, period_end, half_life_days)
    keyed = sorted(
        ((round(score, 2), theme) for theme, score in scores.items()),
        key=lambda pair: (-pair[0], names.get(pair[1], pair[1]).casefold()),
    )
    ties = Counter(score for score, _ in keyed)
    ranked: list[_Ranked] = []
    for position, (score, theme) in enumerate(keyed, start=1):
        # Sorted by score, so equal scores sit together and share the first one's rank.
        rank = ranked[-1].rank if ranked and ranked[-1].score == score else position
        ranked.append(_Ranked(theme, score, rank, ties[score] > 1))
    return ranked


def representative_quotes(
    concerns: Sequence[PackConcern], published: set[int], limit: int = QUOTES_PER_THEME
) -> list[Quote]:
    """The most confidently themed concerns with redacted text, most recent first on a tie."""
    candidates = [c for c in concerns if c.text_redacted and c.text_redacted.strip()]
    candidates.sort(
        key=lambda c: (
            -(c.confidence if c.confidence is not None else -1.0),
            -c.submitted_at.timestamp(),
            -c.id,
        )
    )
    return [
        Quote(
            concern_id=c.id,
            text=(c.text_redacted or "").strip(),
            submitted_on=c.submitted_at.astimezone(LONDON).date(),
            published=c.id in published,
        )
        for c in candidates[:limit]
    ]


def build_pack(
    session: Session,
    panel: Panel,
    period: PackPeriod,
    *,
    half_life_days: float,
    theme_names: dict[str, str],
    today: date,
    now: datetime,
) -> PanelPack:
    previous = period.previous()
    current = records.fetch_counted_concerns(
        session, panel.district, panel.neighbourhood, *period.bounds_utc()
    )
    before = records.fetch_counted_concerns(
        session, panel.district, panel.neighbourhood, *previous.bounds_utc()
    )
    by_theme: dict[str, list[PackConcern]] = defaultdict(list)
    for concern in current:
        if concern.theme:
            by_theme[concern.theme].append(concern)
    previous_counts = Counter(c.theme for c in before if c.theme)
    ranked = rank_themes(current, period.end, half_life_days, theme_names)
    quote_ids = {
        q.concern_id for r in ranked for q in representative_quotes(by_theme[r.theme], set())
    }
    published = set(records.published_quotes_for(session, quote_ids))
    themes = [
        _figures(r, by_theme[r.theme], previous_counts[r.theme], period, theme_names, published)
        for r in ranked
    ]
    unthemed = Count(sum(1 for c in current if not c.theme))
    emerging = [
        _emerging_row(issue, theme_names)
        for issue in records.fetch_emerging_issues(
            session, panel.district, period.start, period.end
        )
    ]
    return PanelPack(
        panel=panel,
        period=period,
        previous=previous,
        half_life_days=half_life_days,
        total=protected_total(len(current), [unthemed, *(t.count for t in themes)]),
        previous_total=protected_total(len(before), [t.previous for t in themes]),
        unthemed=unthemed,
        themes=themes,
        emerging=emerging,
        last_meeting=records.latest_meeting(session, panel.id, on_or_before=today),
        generated_at=now,
    )


def _figures(
    ranked: _Ranked,
    concerns: list[PackConcern],
    previous_count: int,
    period: PackPeriod,
    names: dict[str, str],
    published: set[int],
) -> ThemeFigures:
    channels = Counter(c.channel for c in concerns)
    months = Counter(c.submitted_at.astimezone(LONDON).date().replace(day=1) for c in concerns)
    by_size = sorted(channels.items(), key=lambda item: (-item[1], item[0]))
    firsts = period.months()
    return ThemeFigures(
        theme=ranked.theme,
        name=names.get(ranked.theme, ranked.theme),
        rank=ranked.rank,
        tied=ranked.tied,
        score=ranked.score,
        count=Count(len(concerns)),
        previous=Count(previous_count),
        channels=list(
            zip(
                [channel_label(channel) for channel, _ in by_size],
                protect([n for _, n in by_size], len(concerns)),
                strict=True,
            )
        ),
        months=list(
            zip(
                [f"{month:%B %Y}" for month in firsts],
                protect([months[month] for month in firsts], len(concerns)),
                strict=True,
            )
        ),
        quotes=representative_quotes(concerns, published),
    )


def _emerging_row(issue: EmergingIssue, names: dict[str, str]) -> EmergingRow:
    return EmergingRow(
        theme_name=names.get(issue.theme, issue.theme),
        grain=issue.grain,
        period_start=issue.period_start,
        count=Count(issue.count),
    )
