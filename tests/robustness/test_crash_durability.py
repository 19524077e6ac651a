"""Crash durability: under continuous submissions, gunicorn's workers and master are killed
with SIGKILL again and again (and on PostgreSQL the database server itself restarts,
cutting every connection), yet every concern the service acknowledged is stored exactly once.

Clients resend an unanswered concern with the same Idempotency-Key (API) or the same page
(web form), as a real client does, so "stored once" is a real claim: a resend of a concern
that was stored before its answer was lost must not store it twice.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text

from engage.extensions import db
from engage.models import Concern
from tests.conftest import make_test_app
from tests.robustness.conftest import PostgresCluster, fresh_sqlite_url
from tests.robustness.processes import Gunicorn, production_env
from tests.robustness.residents import ApiResident, Ledger, Resident, WebResident

pytestmark = pytest.mark.slow

WORKER_KILLS = 16
MASTER_KILLS = 4
# Between faults, the clients must have had this many more concerns acknowledged.
PROGRESS = 2
PROGRESS_SECONDS = 120


def fault_plan(rng: random.Random) -> list[str]:
    """Worker and master kills in a fixed random order, always ending with a master kill
    so the last word belongs to a freshly started server."""
    plan = ["worker"] * WORKER_KILLS + ["master"] * (MASTER_KILLS - 1)
    rng.shuffle(plan)
    return [*plan, "master"]


def wait_for_progress(ledger: Ledger, since: int, server: Gunicorn) -> None:
    deadline = time.monotonic() + PROGRESS_SECONDS
    while ledger.acknowledged_count() < since + PROGRESS:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"no submissions acknowledged for {PROGRESS_SECONDS} s after a fault "
                f"({ledger.failures.most_common(5)}):\n{server.log_tail()}"
            )
        time.sleep(0.05)


def stored_rows(url: str) -> list[tuple[str, str | None]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [
                (reference, key)
                for reference, key in connection.execute(
                    text("SELECT reference, idempotency_key FROM concerns")
                )
            ]
    finally:
        engine.dispose()


def sqlite_integrity(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            checks = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
            broken_links = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            return checks + [f"foreign key: {row}" for row in broken_links]
    finally:
        engine.dispose()


def stored_once(rows: list[tuple[str, str | None]], ledger: Ledger) -> list[str]:
    """What is wrong with the stored rows, measured against what was acknowledged."""
    problems: list[str] = []
    by_reference = Counter(reference for reference, _ in rows)
    key_of = dict(rows)
    for key, reference in ledger.acknowledged.items():
        if by_reference[reference] != 1:
            problems.append(f"{reference} ({key}) is stored {by_reference[reference]} times")
            continue
        stored_key = key_of[reference] or ""
        # An API key is stored whole; a web key ends with the digest of the answers.
        if not (stored_key == key or (key.startswith("web:") and stored_key.startswith(key))):
            problems.append(f"{reference} was acknowledged for {key} but stored as {stored_key}")
    keys = [key for _, key in rows if key]
    web_pages = Counter(key.rsplit(":", 1)[0] for key in keys if key.startswith("web:"))
    problems += [f"key {k} stored {n} times" for k, n in Counter(keys).items() if n > 1]
    problems += [f"web page {k} stored {n} times" for k, n in web_pages.items() if n > 1]
    return problems


def run_under_faults(
    url: str, workdir: Path, cluster: PostgresCluster | None = None
) -> dict[str, object]:
    rng = random.Random(2026)
    server = Gunicorn(production_env(url, workdir), workdir / "gunicorn.log", workers=3)
    ledger = Ledger()
    stop, give_up = threading.Event(), threading.Event()
    clients: list[Resident] = [
        *(ApiResident(server.url, ledger, stop, give_up, seed) for seed in range(3)),
        WebResident(server.url, ledger, stop, give_up, 99),
    ]
    kills = Counter[str]()
    recovery: dict[str, list[float]] = {"worker": [], "master": [], "postgresql": []}
    started = time.monotonic()
    server.start()
    try:
        for client in clients:
            client.start()
        plan = fault_plan(rng)
        wait_for_progress(ledger, 0, server)
        for number, fault in enumerate(plan):
            faulted_at = time.monotonic()
            if cluster is not None and number == len(plan) // 2:
                cluster.restart(url)
                kills["postgresql"] += 1
                wait_for_progress(ledger, ledger.acknowledged_count(), server)
                recovery["postgresql"].append(time.monotonic() - faulted_at)
                faulted_at = time.monotonic()
            if fault == "worker":
                if server.kill_worker(rng) is not None:
                    kills["worker"] += 1
                time.sleep(rng.uniform(0.1, 0.6))
            else:
                server.kill_master_and_restart()
                kills["master"] += 1
            wait_for_progress(ledger, ledger.acknowledged_count(), server)
            recovery[fault].append(time.monotonic() - faulted_at)
        stop.set()
        for client in clients:
            client.join(timeout=120)
        give_up.set()
        for client in clients:
            client.join(timeout=30)
    finally:
        stop.set()
        give_up.set()
        server.stop()
    return {
        "kills": dict(kills),
        "masters_started": server.masters_started,
        "requests": ledger.requests,
        "failed_requests": dict(ledger.failures),
        "resends": ledger.resends,
        "acknowledged": len(ledger.acknowledged),
        "web_acknowledged": sum(1 for key in ledger.acknowledged if key.startswith("web:")),
        "seconds": round(time.monotonic() - started, 1),
        # Seconds from a fault until clients had concerns acknowledged again.
        "recovery_seconds": {
            kind: {"mean": round(sum(times) / len(times), 1), "max": round(max(times), 1)}
            for kind, times in recovery.items()
            if times
        },
        "ledger": ledger,
    }


def check(url: str, outcome: dict[str, object], database: str) -> None:
    ledger = outcome.pop("ledger")
    assert isinstance(ledger, Ledger)
    kills = outcome["kills"]
    assert isinstance(kills, dict)
    assert kills.get("worker", 0) >= WORKER_KILLS - 2
    assert kills.get("master") == MASTER_KILLS
    assert ledger.unexpected == []
    assert ledger.conflicting == []
    assert ledger.given_up == [], "a client could not get an answer after the last restart"
    assert outcome["web_acknowledged"], "the web form was never acknowledged"
    rows = stored_rows(url)
    assert stored_once(rows, ledger) == []
    outcome["stored"] = len(rows)
    # The figures the README quotes; shown with `pytest -s` (never asserted on).
    print(f"\ncrash durability on {database}: {json.dumps(outcome, sort_keys=True)}")


def test_sqlite_keeps_every_acknowledged_concern_once_through_kills(tmp_path: Path) -> None:
    url = fresh_sqlite_url(tmp_path)
    outcome = run_under_faults(url, tmp_path)
    # Three worker processes write at once: SQLite must queue them, never refuse one.
    failed = outcome["failed_requests"]
    assert isinstance(failed, dict)
    assert "HTTP 500" not in failed
    assert "database is locked" not in (tmp_path / "gunicorn.log").read_text(errors="replace")
    check(url, outcome, "sqlite")
    assert sqlite_integrity(url) == ["ok"]


def count_concerns(app: Flask) -> int:
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Concern))
        db.session.remove()
        return int(total or 0)


@pytest.mark.postgresql
def test_postgresql_keeps_every_acknowledged_concern_once_through_kills_and_a_restart(
    fresh_postgresql_url: str,
    postgres_cluster: PostgresCluster,
    postgresql_url: str,
    tmp_path: Path,
) -> None:
    # An app on the suite's shared schema, its pool holding a connection from before the
    # restart, stands for every other test in the session.
    bystander = make_test_app(postgresql_url)
    assert count_concerns(bystander) == 0
    outcome = run_under_faults(fresh_postgresql_url, tmp_path, postgres_cluster)
    postgres_cluster.wait_ready(fresh_postgresql_url)
    assert count_concerns(bystander) == 0, "the pooled connection did not survive the restart"
    kills = outcome["kills"]
    assert isinstance(kills, dict)
    assert kills["postgresql"] == 1
    check(fresh_postgresql_url, outcome, "postgresql")
