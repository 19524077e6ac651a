"""Demo data: a clearly marked synthetic history, never mixed with real concerns."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.models import Concern, ConcernContact
from jobs.demo_data import DemoDataRefused, generate_demo_data
from jobs.framework import LONDON
from tests.jobs.conftest import add_concerns, concern

CONFIG = Path(__file__).resolve().parents[2] / "config"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_refuses_a_database_that_holds_real_concerns(session: Session) -> None:
    add_concerns(session, [concern()])
    with pytest.raises(DemoDataRefused, match="1 concern"):
        generate_demo_data(session, concerns=100, config_dir=CONFIG, now=NOW)
    assert session.scalar(select(func.count()).select_from(Concern)) == 1


def test_a_concern_merely_claiming_to_be_demo_is_still_real(session: Session) -> None:
    add_concerns(session, [concern(idempotency_key="demo:1")])
    with pytest.raises(DemoDataRefused):
        generate_demo_data(session, concerns=100, config_dir=CONFIG, now=NOW)


def test_builds_a_marked_history_with_seasons_and_a_planted_spike(session: Session) -> None:
    summary = generate_demo_data(session, concerns=6000, seed=7, config_dir=CONFIG, now=NOW)
    rows = session.execute(
        select(
            Concern.reference,
            Concern.idempotency_key,
            Concern.text,
            Concern.model_version,
            Concern.submitted_at,
            Concern.district,
            Concern.neighbourhood,
            Concern.theme,
            Concern.channel,
            Concern.duplicate_of_id,
        )
    ).all()
    assert len(rows) == summary.concerns == 6000
    assert all(r.reference.startswith("DEMO-") for r in rows)
    assert all(r.idempotency_key.startswith("demo:") for r in rows)
    assert all(r.text.startswith("[Demo] ") for r in rows)
    assert {r.model_version for r in rows} == {"demo"}
    days = {r.submitted_at.astimezone(LONDON).date() for r in rows}
    assert max(days) < NOW.date()
    assert (max(days) - min(days)).days >= 365
    assert len({r.district for r in rows}) == 6
    assert len({r.channel for r in rows}) >= 6
    assert 0 < sum(r.duplicate_of_id is not None for r in rows) < 150
    assert session.scalar(select(func.count()).select_from(ConcernContact)) == summary.contacts

    def share(theme: str, months: set[int]) -> float:
        chosen = [r for r in rows if r.submitted_at.month in months]
        return sum(r.theme == theme for r in chosen) / len(chosen)

    assert share("anti_social_behaviour", {6, 7, 8}) > share("anti_social_behaviour", {12, 1, 2})
    assert share("burglary", {12, 1, 2}) > share("burglary", {6, 7, 8})

    spike_start = NOW - timedelta(days=22)
    wisbech_drugs = Counter(
        "recent" if r.submitted_at >= spike_start else "before"
        for r in rows
        if r.neighbourhood == "Wisbech" and r.theme == "drugs"
    )
    weeks_before = (spike_start - min(r.submitted_at for r in rows)).days / 7
    assert wisbech_drugs["recent"] / 3 > 3 * wisbech_drugs["before"] / weeks_before


def test_runs_again_only_when_asked_to_replace(session: Session) -> None:
    generate_demo_data(session, concerns=200, config_dir=CONFIG, now=NOW)
    with pytest.raises(DemoDataRefused, match="--replace"):
        generate_demo_data(session, concerns=200, config_dir=CONFIG, now=NOW)
    generate_demo_data(session, concerns=300, config_dir=CONFIG, now=NOW, replace=True)
    assert session.scalar(select(func.count()).select_from(Concern)) == 300


def test_the_same_seed_gives_the_same_history(session: Session) -> None:
    def snapshot() -> list[tuple[object, ...]]:
        result = session.execute(
            select(Concern.submitted_at, Concern.district, Concern.theme).order_by(Concern.id)
        ).all()
        return [tuple(r) for r in result]

    generate_demo_data(session, concerns=300, seed=3, config_dir=CONFIG, now=NOW)
    first = snapshot()
    generate_demo_data(session, concerns=300, seed=3, config_dir=CONFIG, now=NOW, replace=True)
    assert snapshot() == first
