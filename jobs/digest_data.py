"""The figures of a digest (and of the dashboard), gathered by SQL into plain dataclasses.

Counts come from the rollup facts (``concern_counts``: a week's or a month's figures are the
sum of its days' rows, ``jobs.rollups.period_bucket``), flags from ``emerging_issues`` and
``new_topics``; quotes are redacted text only, never contact details.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.channels import channel_label
from engage.models import Concern, ConcernCount, EmergingIssue, NewTopic
from jobs.digest_model import (
    ChannelShare,
    DealingShare,
    DigestData,
    DistrictSummary,
    EmergingRow,
    Filters,
    HeatMap,
    Names,
    Quote,
    ThemeChange,
    ThemeQuotes,
    TopicRow,
    Trend,
)
from jobs.digest_quotes import representative_quotes
from jobs.framework import Grain, Period
from jobs.rollups import period_bucket

TREND_PERIODS = 12
TREND_THEMES = 4
TOP_THEMES = 10
DISTRICT_TOP = 3
HEATMAP_THEMES = 10
QUOTE_THEMES = 3
QUOTES_PER_THEME = 3
NOT_RANKED = ("", "no_concern")
DEMO_REFERENCE = "DEMO-"  # jobs.demo_data marks every synthetic concern this way
KINDS = {"week": "weekly", "month": "monthly"}


def _counts_by(
    session: Session, filters: Filters, grain: Grain, starts: list[date], *columns: Any
) -> list[Any]:
    start, within = period_bucket(grain, starts)
    query = (
        select(start, *columns, func.sum(ConcernCount.concerns))
        .where(within)
        .where(*filters.conditions())
        .group_by(start, *columns)
    )
    return list(session.execute(query))


def _theme_changes(
    current: Mapping[str, int], previous: Mapping[str, int], names: Names, limit: int
) -> list[ThemeChange]:
    ranked = sorted(
        (t for t in current if t not in NOT_RANKED and current[t] > 0),
        key=lambda t: (-current[t], names.theme(t)),
    )
    return [ThemeChange(t, names.theme(t), current[t], previous.get(t, 0)) for t in ranked[:limit]]


def _dealing(session: Session, filters: Filters, period: Period) -> DealingShare:
    def sums(p: Period) -> tuple[int, int, int]:
        row = session.execute(
            select(
                func.coalesce(func.sum(ConcernCount.agree), 0),
                func.coalesce(func.sum(ConcernCount.disagree), 0),
                func.coalesce(func.sum(ConcernCount.dont_know), 0),
            )
            .where(period_bucket(p.grain, [p.start])[1])
            .where(*filters.conditions())
        ).one()
        return int(row[0]), int(row[1]), int(row[2])

    agree, disagree, dont_know = sums(period)
    p_agree, p_disagree, p_dont_know = sums(period.previous())
    p_answered = p_agree + p_disagree + p_dont_know
    return DealingShare(agree, disagree, dont_know, p_agree / p_answered if p_answered else None)


def _emerging(
    session: Session, period: Period, filters: Filters, names: Names
) -> list[EmergingRow]:
    query = select(EmergingIssue).where(
        EmergingIssue.grain == period.grain, EmergingIssue.period_start == period.start
    )
    if filters.district:
        query = query.where(EmergingIssue.district == filters.district)
    if filters.theme:
        query = query.where(EmergingIssue.theme == filters.theme)
    rows = session.scalars(query.order_by(EmergingIssue.p_value, EmergingIssue.id))
    return [
        EmergingRow(
            names.district(r.district), names.theme(r.theme), r.count, r.baseline_mean, r.p_value
        )
        for r in rows
    ]


def _new_topics(session: Session, period: Period, filters: Filters, names: Names) -> list[TopicRow]:
    if filters.theme and filters.theme != "other":
        return []
    query = select(NewTopic).where(
        NewTopic.grain == period.grain, NewTopic.period_start == period.start
    )
    if filters.district:
        query = query.where(NewTopic.district == filters.district)
    topics = list(session.scalars(query.order_by(NewTopic.size.desc(), NewTopic.id)))
    wanted = {i for t in topics for i in t.example_concern_ids[:QUOTES_PER_THEME]}
    rows = session.execute(
        select(Concern.id, Concern.text_redacted).where(
            Concern.id.in_(wanted), Concern.text_redacted.is_not(None)
        )
    )
    texts: dict[int, str | None] = dict(rows.all())
    return [
        TopicRow(
            list(t.top_terms),
            t.size,
            names.district(t.district),
            [
                Quote(i, texts[i] or "")
                for i in t.example_concern_ids[:QUOTES_PER_THEME]
                if i in texts
            ],
        )
        for t in topics
    ]


def gather_digest(
    session: Session,
    period: Period,
    names: Names,
    *,
    now: datetime,
    filters: Filters | None = None,
) -> DigestData:
    """Every figure of the digest for ``period`` (optionally narrowed by ``filters``)."""
    filters = filters or Filters()
    previous = period.previous()
    trend_periods = [period.previous(n) for n in range(TREND_PERIODS - 1, 0, -1)] + [period]

    by_district: dict[date, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for start, district, theme, total in _counts_by(
        session,
        filters,
        period.grain,
        [period.start, previous.start],
        ConcernCount.district,
        ConcernCount.theme,
    ):
        by_district[start][district][theme] += int(total or 0)
    current, before = by_district[period.start], by_district[previous.start]
    county: dict[str, int] = defaultdict(int)
    county_before: dict[str, int] = defaultdict(int)
    for district_counts in current.values():
        for theme, n in district_counts.items():
            county[theme] += n
    for district_counts in before.values():
        for theme, n in district_counts.items():
            county_before[theme] += n

    top_themes = _theme_changes(county, county_before, names, TOP_THEMES)
    districts = [
        DistrictSummary(
            district,
            names.district(district),
            sum(current.get(district, {}).values()),
            sum(before.get(district, {}).values()),
            _theme_changes(
                current.get(district, {}), before.get(district, {}), names, DISTRICT_TOP
            ),
        )
        for district in sorted(set(current) | set(before), key=names.district)
    ]

    heat_themes = [t.theme for t in top_themes[:HEATMAP_THEMES]]
    heat_districts = [d for d in districts if d.total]
    heatmap = HeatMap(
        [d.name for d in heat_districts],
        [names.theme(t) for t in heat_themes],
        [[current[d.district].get(t, 0) for t in heat_themes] for d in heat_districts],
    )

    trend_counts: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for start, theme, total in _counts_by(
        session, filters, period.grain, [p.start for p in trend_periods], ConcernCount.theme
    ):
        trend_counts[start][theme] += int(total or 0)
    trend = Trend(
        [p.label for p in trend_periods],
        [sum(trend_counts[p.start].values()) for p in trend_periods],
        {
            t.name: [trend_counts[p.start].get(t.theme, 0) for p in trend_periods]
            for t in top_themes[:TREND_THEMES]
        },
    )

    channel_rows = _counts_by(session, filters, period.grain, [period.start], ConcernCount.channel)
    channel_total = sum(int(r[2] or 0) for r in channel_rows)
    channels = sorted(
        (
            ChannelShare(c, channel_label(c), int(n or 0), int(n or 0) / channel_total)
            for _, c, n in channel_rows
            if n
        ),
        key=lambda c: (-c.count, c.label),
    )

    quotes = [
        ThemeQuotes(
            t.theme,
            t.name,
            [
                Quote(i, text)
                for i, text in representative_quotes(
                    session,
                    period,
                    t.theme,
                    QUOTES_PER_THEME,
                    district=filters.district,
                    neighbourhood=filters.neighbourhood,
                    channel=filters.channel,
                )
            ],
        )
        for t in top_themes[:QUOTE_THEMES]
    ]

    notes: list[str] = []
    start, end = period.bounds_utc()
    demo = session.scalar(
        select(Concern.id)
        .where(
            Concern.submitted_at >= start,
            Concern.submitted_at < end,
            Concern.reference.startswith(DEMO_REFERENCE),
        )
        .limit(1)
    )
    if demo is not None:
        notes.append("Built from synthetic demonstration data, not from real residents.")

    filter_names = {}
    if filters.district:
        filter_names["District"] = names.district(filters.district)
    if filters.neighbourhood:
        filter_names["Neighbourhood"] = filters.neighbourhood
    if filters.theme:
        filter_names["Theme"] = names.theme(filters.theme)
    if filters.channel:
        filter_names["Channel"] = channel_label(filters.channel)

    return DigestData(
        kind=KINDS[period.grain],
        period=period,
        previous=previous,
        generated_at=now,
        filters=filters,
        filter_names=filter_names,
        total=sum(county.values()),
        previous_total=sum(county_before.values()),
        top_themes=top_themes,
        districts=districts,
        trend=trend,
        heatmap=heatmap,
        emerging=_emerging(session, period, filters, names),
        new_topics=_new_topics(session, period, filters, names),
        channels=channels,
        dealing=_dealing(session, filters, period),
        quotes=quotes,
        notes=notes,
    )
