"""How a pack ranks themes: recency-weighted volume, ties shown as equal, small numbers hidden."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from engage.repository.panels import PackConcern
from engage.services.panel_pack import (
    Count,
    PackPeriod,
    ThemeFigures,
    default_period,
    protect,
    protected_total,
    rank_themes,
    representative_quotes,
    weight,
)

END = date(2026, 10, 31)
NAMES = {"speeding": "Speeding", "burglary": "Burglary", "drugs": "Drugs", "parking": "Parking"}


def concern(theme: str | None, days_before_end: int, **overrides: object) -> PackConcern:
    values: dict[str, object] = {
        "id": 1,
        "theme": theme,
        "channel": "web",
        # Noon UTC is 12:00 or 13:00 in London: the same calendar date either way.
        "submitted_at": datetime.combine(
            END - timedelta(days=days_before_end), datetime.min.time()
        ).replace(hour=12, tzinfo=UTC),
        "confidence": 0.8,
        "text_redacted": "Something",
    }
    values.update(overrides)
    return PackConcern(**values)  # type: ignore[arg-type]


def test_a_concern_weighs_one_on_the_last_day_and_halves_every_half_life() -> None:
    assert weight(concern("speeding", 0).submitted_at, END, 30) == 1.0
    assert weight(concern("speeding", 30).submitted_at, END, 30) == pytest.approx(0.5)
    assert weight(concern("speeding", 60).submitted_at, END, 30) == pytest.approx(0.25)


def test_recent_concerns_outrank_more_numerous_old_ones() -> None:
    # Six burglary concerns 90 days back weigh 6 x 0.125 = 0.75; two recent speeding ones 2.
    concerns = [concern("burglary", 90) for _ in range(6)] + [concern("speeding", 0)] * 2
    ranked = rank_themes(concerns, END, 30, NAMES)
    assert [(r.theme, r.score, r.rank) for r in ranked] == [
        ("speeding", 2.0, 1),
        ("burglary", 0.75, 2),
    ]


def test_equal_scores_share_a_rank_listed_by_name_and_the_next_rank_skips() -> None:
    concerns = (
        [concern("speeding", 0)] * 3
        + [concern("parking", 0)] * 2
        + [concern("burglary", 0)] * 2
        + [concern("drugs", 30)]
    )
    ranked = rank_themes(concerns, END, 30, NAMES)
    assert [(r.theme, r.rank, r.tied) for r in ranked] == [
        ("speeding", 1, False),
        ("burglary", 2, True),
        ("parking", 2, True),
        ("drugs", 4, False),
    ]


def test_concerns_without_a_theme_are_not_ranked() -> None:
    assert rank_themes([concern(None, 0), concern("drugs", 0)], END, 30, NAMES)[0].theme == "drugs"
    assert len(rank_themes([concern(None, 0)], END, 30, NAMES)) == 0


def figures(count: int, previous: int, rank: int = 2, tied: bool = True) -> ThemeFigures:
    return ThemeFigures(
        theme="speeding",
        name="Speeding",
        rank=rank,
        tied=tied,
        score=1.5,
        count=Count(count),
        previous=Count(previous),
        channels=[],
        months=[],
    )


def test_a_tied_rank_is_shown_with_an_equals_sign() -> None:
    assert figures(9, 9).rank_label == "=2"
    assert figures(9, 9, rank=1, tied=False).rank_label == "1"


@pytest.mark.parametrize(
    ("value", "shown"), [(0, "fewer than 5"), (4, "fewer than 5"), (5, "5"), (1234, "1,234")]
)
def test_counts_under_five_are_shown_only_as_fewer_than_five(value: int, shown: str) -> None:
    assert Count(value).shown == shown


@pytest.mark.parametrize(
    ("count", "previous", "trend"),
    [
        (12, 9, "Up 3 from 9"),
        (6, 10, "Down 4 from 10"),
        (7, 7, "No change from 7"),
        (12, 3, "Previous period: fewer than 5"),
        (3, 12, "Previous period: 12; change not shown"),
        (2, 1, "Previous period: fewer than 5"),
    ],
)
def test_the_trend_never_gives_away_a_count_under_five(
    count: int, previous: int, trend: str
) -> None:
    assert figures(count, previous).trend == trend


def test_a_theme_with_fewer_than_five_concerns_does_not_show_its_score() -> None:
    assert figures(4, 0).score_shown == "not shown"
    assert figures(5, 0).score_shown == "1.50"


def test_the_default_period_is_the_last_three_full_months_and_compares_with_the_three_before() -> (
    None
):
    period = default_period(date(2026, 11, 20))
    assert period == PackPeriod(date(2026, 8, 1), date(2026, 10, 31))
    assert period.previous() == PackPeriod(date(2026, 5, 1), date(2026, 7, 31))
    assert default_period(date(2026, 1, 1)) == PackPeriod(date(2025, 10, 1), date(2025, 12, 31))


def test_a_period_starts_at_london_midnight() -> None:
    low, high = PackPeriod(date(2026, 8, 1), date(2026, 10, 31)).bounds_utc()
    assert low == datetime(2026, 7, 31, 23, 0, tzinfo=UTC)  # British Summer Time
    assert high == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)  # Greenwich Mean Time


def test_representative_quotes_are_the_most_confident_then_the_most_recent() -> None:
    concerns = [
        concern("drugs", 10, id=1, confidence=0.6, text_redacted="Older, less sure"),
        concern("drugs", 20, id=2, confidence=0.95, text_redacted="Most sure"),
        concern("drugs", 5, id=3, confidence=0.6, text_redacted="Recent, less sure"),
        concern("drugs", 1, id=4, confidence=0.99, text_redacted="   "),
        concern("drugs", 1, id=5, confidence=0.3, text_redacted="Least sure"),
    ]
    quotes = representative_quotes(concerns, published={3})
    assert [(q.concern_id, q.text, q.published) for q in quotes] == [
        (2, "Most sure", False),
        (3, "Recent, less sure", True),
        (1, "Older, less sure", False),
    ]


def shown(counts: list[Count]) -> list[str]:
    return [count.shown for count in counts]


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([9, 6], ["9", "6"]),
        # 9 + 6 + 2 = 17 is shown elsewhere: the 6 is withheld, or 17 - 9 - 6 gives the 2.
        ([9, 6, 2], ["9", "not shown", "fewer than 5"]),
        # Two small parts adding up to 5 or more cannot be told apart.
        ([9, 3, 4], ["9", "fewer than 5", "fewer than 5"]),
        # Hidden parts that add up to nothing give nobody away.
        ([0, 0, 7], ["fewer than 5", "fewer than 5", "7"]),
        # Equal sizes: the earliest is withheld.
        ([6, 6, 1], ["not shown", "6", "fewer than 5"]),
    ],
)
def test_a_small_part_of_a_shown_total_cannot_be_worked_out_by_subtraction(
    parts: list[int], expected: list[str]
) -> None:
    assert shown(protect(parts, sum(parts))) == expected


def test_parts_of_a_hidden_total_need_no_extra_protection() -> None:
    assert shown(protect([3, 1], 4)) == ["fewer than 5", "fewer than 5"]


def test_a_total_is_withheld_when_it_would_give_away_a_hidden_part() -> None:
    assert protected_total(15, [Count(7), Count(5), Count(3)]).shown == "not shown"
    assert protected_total(19, [Count(7), Count(5), Count(3), Count(4)]).shown == "19"
    assert protected_total(12, [Count(7), Count(5), Count(0)]).shown == "12"
