"""Emerging issues: district x theme cells whose latest count is unlikely to be chance.

How we flag rises (the same words appear in every digest):

- For each district x theme, the count in the period is compared with its baseline, the
  mean count of the previous 8 periods of the same grain (week or month), read from the
  rollup facts (``concern_counts``, a period's days summed).
- The baseline gets a small prior, as if one extra period with one concern had been seen:
  ``mean = (sum of the 8 counts + 1) / (8 + 1)``. A theme never raised before then has a
  baseline of about 0.11 rather than zero, so a handful of new concerns can stand out but
  a division by zero cannot happen.
- Test: one-sided Poisson, ``p = P(X >= count)`` for ``X ~ Poisson(mean)``.
- Many cells are tested at once, so p-values are adjusted with the Benjamini-Hochberg
  procedure across every district x theme cell with any concern in the 9 periods; a cell
  is flagged when its adjusted value (q) is at most 0.05, the count is at least 5 and the
  count is at least 1.5 times the baseline.
- Detection waits until the rollups hold at least 4 earlier periods (a new service would
  otherwise flag everything). Unclassified concerns and ``no_concern`` are not tested.

The job writes the period's ``EmergingIssue`` rows in one transaction (delete, insert).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from scipy.stats import poisson
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import ConcernCount, EmergingIssue
from jobs.framework import JobContext, JobResult, Period
from jobs.rollups import period_bucket

BASELINE_PERIODS = 8
PRIOR_COUNT = 1.0
PRIOR_PERIODS = 1.0
FALSE_DISCOVERY_RATE = 0.05
MIN_COUNT = 5
MIN_RATIO = 1.5
MIN_HISTORY = 4
UNTESTED_THEMES = ("", "no_concern")
METHOD = (
    f"poisson one-sided, BH q<={FALSE_DISCOVERY_RATE}, n>={MIN_COUNT}, "
    f"ratio>={MIN_RATIO}, baseline {BASELINE_PERIODS}"
)
HOW_WE_FLAG = (
    f"Each district and theme is compared with its own average over the previous "
    f"{BASELINE_PERIODS} periods (plus a small allowance, so a theme never raised before "
    f"does not have an average of zero). A one-sided Poisson test gives the chance of "
    f"seeing at least this many concerns if nothing had changed; these chances are "
    f"adjusted for the number of places and themes tested at once (Benjamini-Hochberg, "
    f"at most {FALSE_DISCOVERY_RATE:.0%} false alarms expected). A rise is flagged only "
    f"when it passes that test, has at least {MIN_COUNT} concerns and is at least "
    f"{MIN_RATIO} times the average."
)


@dataclass(frozen=True)
class CellTest:
    district: str
    theme: str
    count: int
    baseline_mean: float
    p_value: float
    q_value: float

    @property
    def ratio(self) -> float:
        return self.count / self.baseline_mean

    @property
    def flagged(self) -> bool:
        return (
            self.q_value <= FALSE_DISCOVERY_RATE
            and self.count >= MIN_COUNT
            and self.ratio >= MIN_RATIO
        )


def baseline_mean(history: list[int]) -> float:
    return (sum(history) + PRIOR_COUNT) / (len(history) + PRIOR_PERIODS)


def rise_p_value(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean): how surprising the count is."""
    if count <= 0:
        return 1.0
    return float(poisson.sf(count - 1, mean))


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Adjusted p-values (q) in the input order; monotone, capped at 1."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, p_values[index] * m / rank)
        adjusted[index] = running
    return adjusted


def score_cells(
    counts: dict[tuple[str, str], dict[date, int]], period: Period, history: list[Period]
) -> list[CellTest]:
    """Test every cell's count in ``period`` against its counts in ``history``."""
    cells = sorted(counts)
    raw: list[tuple[str, str, int, float, float]] = []
    for district, theme in cells:
        by_start = counts[(district, theme)]
        mean = baseline_mean([by_start.get(p.start, 0) for p in history])
        count = by_start.get(period.start, 0)
        raw.append((district, theme, count, mean, rise_p_value(count, mean)))
    q_values = benjamini_hochberg([row[4] for row in raw])
    return [CellTest(*row, q_value=q) for row, q in zip(raw, q_values, strict=True)]


def _load_counts(
    session: Session, period: Period, history: list[Period]
) -> dict[tuple[str, str], dict[date, int]]:
    starts = [p.start for p in history] + [period.start]
    column, within = period_bucket(period.grain, starts)
    rows = session.execute(
        select(
            ConcernCount.district,
            ConcernCount.theme,
            column,
            func.sum(ConcernCount.concerns),
        )
        .where(within, ConcernCount.theme.not_in(UNTESTED_THEMES))
        .group_by(ConcernCount.district, ConcernCount.theme, column)
    )
    counts: dict[tuple[str, str], dict[date, int]] = defaultdict(dict)
    for district, theme, start, total in rows:
        counts[(district, theme)][start] = int(total or 0)
    return counts


def _history_available(session: Session, period: Period, history: list[Period]) -> int:
    """How many baseline periods fall on or after the first period the rollups hold."""
    first_day = session.scalar(select(func.min(ConcernCount.day)))
    if first_day is None:
        return 0
    first = Period.containing(period.grain, first_day).start
    return sum(1 for p in history if p.start >= first)


def detect_emerging_issues(session: Session, period: Period, context: JobContext) -> JobResult:
    """The job: flag the period's rises and store them as the period's emerging issues."""
    if period.grain == "day":
        raise ValueError("Emerging issues are found per week or per month, not per day")
    history = [period.previous(n) for n in range(BASELINE_PERIODS, 0, -1)]
    available = _history_available(session, period, history)
    detail: dict[str, Any] = {"method": METHOD, "baseline_periods_available": available}
    flagged: list[CellTest] = []
    tested = 0
    if available >= MIN_HISTORY:
        tests = score_cells(_load_counts(session, period, history), period, history)
        tested = len(tests)
        flagged = [t for t in tests if t.flagged]
    else:
        detail["skipped"] = f"fewer than {MIN_HISTORY} earlier periods in the rollups"
    session.rollback()
    with write_transaction(session):
        session.execute(
            delete(EmergingIssue).where(
                EmergingIssue.grain == period.grain,
                EmergingIssue.period_start == period.start,
            )
        )
        session.add_all(
            EmergingIssue(
                grain=period.grain,
                period_start=period.start,
                district=t.district,
                theme=t.theme,
                count=t.count,
                baseline_mean=t.baseline_mean,
                p_value=t.p_value,
                method=METHOD,
                detected_at=context.now,
            )
            for t in flagged
        )
    detail["cells_tested"] = tested
    detail["flagged"] = [f"{t.district}/{t.theme}" for t in flagged]
    return JobResult(rows=len(flagged), detail=detail)
