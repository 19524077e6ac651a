"""Emerging issues: a rise is flagged only when it is unlikely to be chance and big enough."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import ConcernCount, EmergingIssue
from jobs.emerging import (
    MIN_COUNT,
    baseline_mean,
    benjamini_hochberg,
    detect_emerging_issues,
    rise_p_value,
)
from jobs.framework import JobContext, Period
from tests.rollup_facts import fact

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
WEEK = Period.parse("2026-W47")
CONTEXT = JobContext(now=NOW, triggered_by="test")


def put_counts(
    session: Session, district: str, theme: str, counts: list[int], grain: str = "week"
) -> None:
    """Counts for the 8 baseline periods then the period itself (oldest first)."""
    period = WEEK if grain == "week" else Period.parse("2026-11")
    periods = [period.previous(n) for n in range(len(counts) - 1, -1, -1)]
    with write_transaction(session):
        for each, n in zip(periods, counts, strict=True):
            # Split across two channels, two neighbourhoods and the first and last days of
            # the period, as the rollups are, to prove the job sums them.
            for channel, share, day, place in (
                ("web", n - n // 2, 0, "Wisbech"),
                ("surgery", n // 2, -1, ""),
            ):
                if share:
                    session.add(
                        fact(each, district, theme, channel, share, day=day, neighbourhood=place)
                    )


def flagged(session: Session, period: Period = WEEK) -> dict[tuple[str, str], EmergingIssue]:
    session.expire_all()
    rows = session.scalars(
        select(EmergingIssue).where(
            EmergingIssue.grain == period.grain, EmergingIssue.period_start == period.start
        )
    )
    return {(r.district, r.theme): r for r in rows}


def test_a_planted_spike_is_flagged_and_a_flat_series_is_not(session: Session) -> None:
    put_counts(session, "fenland", "speeding", [4, 5, 3, 4, 6, 4, 5, 4, 19])
    put_counts(session, "fenland", "parking", [10, 11, 9, 10, 12, 10, 9, 11, 10])
    put_counts(session, "peterborough", "drugs", [20, 22, 18, 21, 19, 20, 23, 20, 24])

    result = detect_emerging_issues(session, WEEK, CONTEXT)

    issues = flagged(session)
    assert set(issues) == {("fenland", "speeding")}
    assert result.rows == 1
    spike = issues[("fenland", "speeding")]
    assert spike.count == 19
    assert spike.baseline_mean == pytest.approx((35 + 1) / 9)
    assert spike.p_value < 1e-5
    assert spike.detected_at == NOW
    assert "poisson" in spike.method


def test_a_small_rise_from_nothing_is_not_flagged_however_unlikely(session: Session) -> None:
    put_counts(session, "fenland", "speeding", [4, 5, 3, 4, 6, 4, 5, 4, 4])
    put_counts(session, "huntingdonshire", "rural_crime", [0, 0, 0, 0, 0, 0, 0, 0, 4])

    detect_emerging_issues(session, WEEK, CONTEXT)

    assert MIN_COUNT == 5
    assert rise_p_value(4, baseline_mean([0] * 8)) < 0.001
    assert flagged(session) == {}


def test_a_theme_never_raised_before_is_flagged_once_it_reaches_the_minimum(
    session: Session,
) -> None:
    put_counts(session, "fenland", "speeding", [4, 5, 3, 4, 6, 4, 5, 4, 4])
    put_counts(session, "huntingdonshire", "rural_crime", [0, 0, 0, 0, 0, 0, 0, 0, 6])

    detect_emerging_issues(session, WEEK, CONTEXT)

    issue = flagged(session)[("huntingdonshire", "rural_crime")]
    assert issue.baseline_mean == pytest.approx(1 / 9)
    assert issue.count == 6


def test_a_big_but_ordinary_wobble_on_a_large_count_is_not_flagged(session: Session) -> None:
    # 130 against an average of 100 passes the Poisson test, but the ratio rule (at least
    # 1.5 times the baseline) keeps modest rises on busy themes out of the digest.
    put_counts(session, "peterborough", "anti_social_behaviour", [100] * 8 + [130])

    detect_emerging_issues(session, WEEK, CONTEXT)

    assert flagged(session) == {}


def test_rerunning_replaces_the_periods_issues_and_leaves_other_periods_alone(
    session: Session,
) -> None:
    put_counts(session, "fenland", "speeding", [4, 5, 3, 4, 6, 4, 5, 4, 19])
    detect_emerging_issues(session, WEEK, CONTEXT)
    detect_emerging_issues(session, WEEK, CONTEXT)
    assert len(flagged(session)) == 1

    # The counts are corrected (say, spam removed) and the period rerun: the flag goes.
    with write_transaction(session):
        for row in session.scalars(select(ConcernCount).where(ConcernCount.day.in_(WEEK.days()))):
            row.concerns = 2
    detect_emerging_issues(session, WEEK, CONTEXT)
    assert flagged(session) == {}


def test_monthly_periods_are_tested_against_the_previous_eight_months(session: Session) -> None:
    month = Period.parse("2026-11")
    put_counts(session, "cambridge_city", "cycle_theft", [8, 9, 7, 8, 10, 9, 8, 9, 30], "month")

    detect_emerging_issues(session, month, CONTEXT)

    assert set(flagged(session, month)) == {("cambridge_city", "cycle_theft")}
    assert flagged(session) == {}


def test_nothing_is_flagged_until_the_rollups_hold_enough_history(session: Session) -> None:
    put_counts(session, "fenland", "speeding", [1, 2, 40])

    result = detect_emerging_issues(session, WEEK, CONTEXT)

    assert flagged(session) == {}
    assert "skipped" in result.detail


def test_unclassified_and_no_concern_counts_are_not_tested(session: Session) -> None:
    put_counts(session, "fenland", "", [0] * 8 + [50])
    put_counts(session, "fenland", "no_concern", [0] * 8 + [50])

    detect_emerging_issues(session, WEEK, CONTEXT)

    assert flagged(session) == {}


def test_benjamini_hochberg_matches_a_worked_example() -> None:
    p = [0.01, 0.04, 0.03, 0.005]
    # Sorted: 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.02, 0.04, 0.04 (monotone from the top).
    assert benjamini_hochberg(p) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert benjamini_hochberg([]) == []


def test_the_poisson_test_is_one_sided() -> None:
    assert rise_p_value(0, 3.0) == 1.0
    assert rise_p_value(1, 3.0) == pytest.approx(1 - 0.049787068, rel=1e-6)
    assert rise_p_value(2, 3.0) > rise_p_value(8, 3.0)


def test_a_day_is_not_a_period_for_emerging_issues(session: Session) -> None:
    with pytest.raises(ValueError, match="per week or per month"):
        detect_emerging_issues(session, Period("day", date(2026, 11, 20)), CONTEXT)
