"""Synthetic demonstration history: a year or more of concerns so dashboards, digests and
benchmarks have something to show. Every row is clearly marked as synthetic.

Marks: ``reference`` starts ``DEMO-``, ``idempotency_key`` starts ``demo:``, the text
starts ``[Demo]`` and ``model_version`` is ``demo``. Generation refuses a database holding
any concern without those marks.

What the history holds (all reproducible from the seed):

* volume over the months with a mild summer rise and quieter Sundays; districts weighted
  roughly by population, a neighbourhood named for most concerns;
* seasonal themes: anti-social behaviour, alcohol and rowdiness and noise rise in summer;
  burglary (dark evenings) and rural crime (hare coursing) rise in winter; cycle theft
  peaks in the autumn term; rural crime is rare in Cambridge and Peterborough;
* channels (mostly the web form, then outreach), "are concerns being dealt with" answers
  near the plan's 71.7% agreement, a few urgent concerns, about 1% merged duplicates and
  about 10% with contact details;
* a planted spike: over the last 21 days, drug concerns in Fenland at about three times
  the district's usual rate, all the extra in Wisbech, so the emerging-issues job (which
  tests district x theme) has a real rise to find.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, text
from sqlalchemy.orm import Session

from engage.areas import load_areas
from engage.database import write_transaction
from engage.models import Base, Concern, ConcernContact, ConcernCount, ConcernTheme
from jobs.demo_profile import (
    AGE_BANDS,
    CHANNEL_WEIGHTS,
    DEALING,
    DISTRICT_WEIGHTS,
    HOUR_WEIGHTS,
    SEASONS,
    THEME_SHARES,
    URBAN,
    URGENT_THEMES,
)
from jobs.demo_texts import SPOTS, TEMPLATES
from jobs.framework import LONDON, london_today

DEMO_KEY_PREFIX = "demo:"
DEMO_REFERENCE_PREFIX = "DEMO-"
DEMO_TEXT_PREFIX = "[Demo] "
DEMO_MODEL_VERSION = "demo"
CHUNK = 5_000

SPIKE_DISTRICT = "fenland"
SPIKE_NEIGHBOURHOOD = "Wisbech"
SPIKE_THEME = "drugs"
SPIKE_DAYS = 21
SPIKE_FACTOR = 3.0


class DemoDataRefused(RuntimeError):
    """The database holds real concerns, or demo data already (without ``replace``)."""


@dataclass(frozen=True)
class DemoSummary:
    concerns: int
    spike_concerns: int
    first_day: date
    last_day: date
    contacts: int
    duplicates: int


def is_demo() -> Any:
    return Concern.idempotency_key.like(f"{DEMO_KEY_PREFIX}%") & Concern.reference.like(
        f"{DEMO_REFERENCE_PREFIX}%"
    )


def count_real_concerns(session: Session) -> int:
    found = session.scalar(
        select(func.count())
        .select_from(Concern)
        .where(or_(Concern.idempotency_key.is_(None), ~is_demo()))
    )
    return int(found or 0)


def count_demo_concerns(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Concern).where(is_demo())) or 0)


def delete_demo_data(session: Session) -> int:
    """Remove every demo concern (and, since they were built from them, all rollup rows)."""
    with write_transaction(session):
        demo_ids = select(Concern.id).where(is_demo()).scalar_subquery()
        session.execute(delete(ConcernTheme).where(ConcernTheme.concern_id.in_(demo_ids)))
        session.execute(delete(ConcernContact).where(ConcernContact.concern_id.in_(demo_ids)))
        session.execute(delete(Concern).where(is_demo(), Concern.duplicate_of_id.is_not(None)))
        result = session.execute(delete(Concern).where(is_demo()))
        session.execute(delete(ConcernCount))
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def _seasonal(theme: str, month: int) -> float:
    peak, strength = SEASONS.get(theme, (1, 0.0))
    return 1.0 + strength * math.cos(2 * math.pi * (month - peak) / 12)


def _theme_weights(month: int, district: str) -> list[float]:
    weights = []
    for theme, share in THEME_SHARES.items():
        weight = share * _seasonal(theme, month)
        if theme == "rural_crime":
            weight *= 0.15 if district in URBAN else 2.0
        elif theme == "cycle_theft" and district == "cambridge_city":
            weight *= 4.0
        elif theme == "business_crime" and district in URBAN:
            weight *= 1.6
        weights.append(weight)
    return weights


def _agree_share(district: str, month: int) -> float:
    base = {"peterborough": 0.64, "fenland": 0.66, "cambridge_city": 0.7}.get(district, 0.76)
    return base - 0.03 * math.cos(2 * math.pi * (month - 7) / 12)


@dataclass
class _Plan:
    days: list[date]
    per_day: Counter[int]
    spike_per_day: Counter[int]


def _plan(rng: random.Random, concerns: int, first: date, last: date) -> _Plan:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    volume = [
        (1 + 0.15 * math.cos(2 * math.pi * (d.month - 7) / 12)) * (0.7 if d.weekday() == 6 else 1)
        for d in days
    ]
    spike_start = len(days) - SPIKE_DAYS
    district_share = DISTRICT_WEIGHTS[SPIKE_DISTRICT] / sum(DISTRICT_WEIGHTS.values())
    usual = concerns / len(days) * district_share * 0.08 * SPIKE_DAYS
    spike = min(concerns // 10, max(12, round((SPIKE_FACTOR - 1) * usual)))
    per_day = Counter(rng.choices(range(len(days)), weights=volume, k=concerns - spike))
    spike_days = range(max(spike_start, 0), len(days))
    spike_per_day = Counter(rng.choices(spike_days, k=spike))
    return _Plan(days, per_day, spike_per_day)


def generate_demo_data(
    session: Session,
    *,
    concerns: int = 20_000,
    seed: int = 2026,
    months: int = 15,
    now: datetime | None = None,
    config_dir: Path,
    replace: bool = False,
) -> DemoSummary:
    """Insert ``concerns`` synthetic concerns covering ``months`` months up to ``now``."""
    if concerns < 1 or months < 1:
        raise ValueError("concerns and months must be at least 1")
    real = count_real_concerns(session)
    session.rollback()
    if real:
        raise DemoDataRefused(
            f"The database holds {real} concern(s) that are not demo data. "
            "Demo data only goes into a database with no real concerns."
        )
    if count_demo_concerns(session):
        session.rollback()
        if not replace:
            raise DemoDataRefused(
                "The database already holds demo data; use --replace to start again."
            )
        delete_demo_data(session)
    now = now or datetime.now(UTC)
    last = london_today(now) - timedelta(days=1)
    first = last - timedelta(days=round(months * 30.44) - 1)
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    plan = _plan(rng, concerns, first, last)
    areas = load_areas(Path(config_dir) / "areas.yaml")
    neighbourhoods = {d.id: d.neighbourhoods for d in areas.districts}
    names = {d.id: d.name for d in areas.districts}
    districts = [d for d in DISTRICT_WEIGHTS if d in names]
    builder = _RowBuilder(rng, neighbourhoods, names, districts)
    start_id = int(session.scalar(select(func.coalesce(func.max(Concern.id), 0))) or 0) + 1
    session.rollback()
    summary = _insert_all(session, builder, plan, start_id, now)
    _reset_sequence(session)
    return summary


class _RowBuilder:
    def __init__(
        self,
        rng: random.Random,
        neighbourhoods: dict[str, tuple[str, ...]],
        names: dict[str, str],
        districts: list[str],
    ) -> None:
        self.rng = rng
        self.neighbourhoods = neighbourhoods
        self.names = names
        self.districts = districts
        self.district_weights = [DISTRICT_WEIGHTS[d] for d in districts]
        self.themes = list(THEME_SHARES)
        self.channels = list(CHANNEL_WEIGHTS)
        self.channel_weights = list(CHANNEL_WEIGHTS.values())
        self._weights: dict[tuple[int, str], list[float]] = {}

    def row(self, row_id: int, day: date, spike: bool, now: datetime) -> dict[str, Any]:
        rng = self.rng
        neighbourhood: str | None
        if spike:
            district, neighbourhood, theme = SPIKE_DISTRICT, SPIKE_NEIGHBOURHOOD, SPIKE_THEME
        else:
            district = rng.choices(self.districts, self.district_weights)[0]
            options = self.neighbourhoods.get(district, ())
            neighbourhood = rng.choice(options) if options and rng.random() < 0.85 else None
            key = (day.month, district)
            if key not in self._weights:
                self._weights[key] = _theme_weights(day.month, district)
            theme = rng.choices(self.themes, self._weights[key])[0]
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)))
        submitted = local.replace(tzinfo=LONDON).astimezone(UTC)
        place = neighbourhood or self.names[district]
        sentence = rng.choice(TEMPLATES[theme]).format(place=place, spot=rng.choice(SPOTS))
        answered = rng.random() < 0.75
        agree = _agree_share(district, day.month)
        dealing = (
            rng.choices(DEALING, (agree, (1 - agree) * 0.6, (1 - agree) * 0.4))[0]
            if answered
            else None
        )
        urgent = rng.random() < (0.04 if theme in URGENT_THEMES else 0.003)
        return {
            "id": row_id,
            "reference": f"{DEMO_REFERENCE_PREFIX}{row_id:08d}",
            "text": DEMO_TEXT_PREFIX + sentence,
            "impact": None,
            "district": district,
            "place": place,
            "neighbourhood": neighbourhood,
            "dealing_with_concerns": dealing,
            "age_band": rng.choice(AGE_BANDS) if rng.random() < 0.8 else None,
            "channel": rng.choices(self.channels, self.channel_weights)[0],
            "language": "en",
            "status": "new" if (now - submitted) < timedelta(days=7) else "triaged",
            "urgency": "urgent" if urgent else "routine",
            "urgency_reasons": "demo" if urgent else None,
            "submitted_at": submitted,
            "submitted_day": london_today(submitted),
            "idempotency_key": f"{DEMO_KEY_PREFIX}{row_id}",
            "request_fingerprint": None,
            "theme": theme,
            "theme_confidence": round(rng.uniform(0.55, 0.98), 3),
            "model_version": DEMO_MODEL_VERSION,
            "needs_review": False,
            "needs_translation": False,
            "classified_at": submitted,
            "text_redacted": DEMO_TEXT_PREFIX + sentence,
            "duplicate_of_id": None,
        }


def _rows(builder: _RowBuilder, plan: _Plan, start_id: int, now: datetime) -> Iterator[Any]:
    row_id = start_id
    previous: dict[str, Any] | None = None
    for index, day in enumerate(plan.days):
        flags = [False] * plan.per_day[index] + [True] * plan.spike_per_day[index]
        day_rows = [builder.row(0, day, spike, now) for spike in flags]
        day_rows.sort(key=lambda r: r["submitted_at"])
        for row in day_rows:
            row["id"] = row_id
            row["reference"] = f"{DEMO_REFERENCE_PREFIX}{row_id:08d}"
            row["idempotency_key"] = f"{DEMO_KEY_PREFIX}{row_id}"
            if (
                previous is not None
                and previous["duplicate_of_id"] is None
                and builder.rng.random() < 0.01
            ):
                for name in ("district", "neighbourhood", "place", "theme", "text"):
                    row[name] = previous[name]
                row["text_redacted"] = previous["text_redacted"]
                row["duplicate_of_id"] = previous["id"]
                row["status"] = "duplicate"
            yield row
            previous = row
            row_id += 1


def _insert_all(
    session: Session, builder: _RowBuilder, plan: _Plan, start_id: int, now: datetime
) -> DemoSummary:
    tables = Base.metadata.tables
    concerns_table = tables["concerns"]
    themes_table = tables["concern_themes"]
    contacts_table = tables["concern_contacts"]
    total = contacts = duplicates = 0
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal contacts
        if not chunk:
            return
        themes = [
            {
                "concern_id": r["id"],
                "theme": r["theme"],
                "rank": 0,
                "confidence": r["theme_confidence"],
                "source": "model",
            }
            for r in chunk
        ]
        people = [
            {
                "concern_id": r["id"],
                "name": "Demo Resident",
                "email": f"demo.resident+{r['id']}@example.invalid",
                "phone": None,
                "consent_to_contact": True,
                "consent_wording_version": "demo",
                "consented_at": r["submitted_at"],
            }
            for r in chunk
            if r["id"] % 10 == 3
        ]
        with write_transaction(session):
            connection = session.connection()
            connection.execute(insert(concerns_table), chunk)
            connection.execute(insert(themes_table), themes)
            if people:
                connection.execute(insert(contacts_table), people)
        contacts += len(people)
        chunk.clear()

    for row in _rows(builder, plan, start_id, now):
        chunk.append(row)
        total += 1
        duplicates += row["duplicate_of_id"] is not None
        if len(chunk) >= CHUNK:
            flush()
    flush()
    return DemoSummary(
        concerns=total,
        spike_concerns=sum(plan.spike_per_day.values()),
        first_day=plan.days[0],
        last_day=plan.days[-1],
        contacts=contacts,
        duplicates=duplicates,
    )


def _reset_sequence(session: Session) -> None:
    """PostgreSQL hands out ids from a sequence: move it past the ids we chose."""
    if session.get_bind().dialect.name != "postgresql":
        return
    with write_transaction(session):
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('concerns', 'id'), "
                "(SELECT COALESCE(MAX(id), 1) FROM concerns))"
            )
        )
