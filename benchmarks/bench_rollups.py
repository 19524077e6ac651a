"""Speed of the rollups on a million concerns (never run as timed unit tests).

    python -m benchmarks.bench_rollups [--json] [--concerns N] [--repeats R] [--no-postgresql]

Measures, on SQLite and on PostgreSQL, with the demo-data generator's 1,000,000 concerns
(15 months, fixed seed and date, so every run sees the same rows):
- a full rebuild (``rebuild_rollups``: every Europe/London day x district x neighbourhood x
  theme x channel, then on SQLite the WAL checkpoint the job runner makes), target under 2 s;
- the daily job (``rollup_period`` for one day: that day and any day marked stale) after
  10,000 new concerns arrive that day, target under 0.2 s.

Each is run ``--repeats`` times (default 5); best and median are reported. Other work on the
machine inflates wall time, so CPU time is reported too: this process's (SQLite works
in-process) and, when the PostgreSQL server is on this machine, the server backend's (read
from /proc), which together show what the same run costs on an idle machine.

The SQLite database is generated once (a few minutes) and cached in benchmarks/.cache/
(gitignored); each run works on a copy. PostgreSQL data lives in the schema
``engage_bench_rollups`` of ENGAGE_BENCH_DATABASE_URL (default: ENGAGE_TEST_DATABASE_URL,
else postgresql+psycopg://postgres@127.0.0.1:5432/test), kept between runs. Wall and CPU
time of this process are both reported: SQLite's work is in-process CPU, PostgreSQL's not.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from benchmarks.bench_intake import machine_facts
from engage.areas import load_areas
from engage.database import checkpoint_wal, make_engine, write_transaction
from engage.migrate import upgrade
from engage.models import Base, Concern
from engage.models.concern import CHANNELS
from engage.reference_data import load_theme_names
from engage.sqlite_library import sqlite_dbapi
from jobs.demo_data import generate_demo_data
from jobs.framework import JobContext, Period, london_today
from jobs.rollups import rebuild_rollups, rollup_period

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
SEED = 2026
NEW_CONCERNS = 10_000
PG_SCHEMA = "engage_bench_rollups"
TARGETS = {"full_rebuild_seconds": 2.0, "daily_after_10k_seconds": 0.2}
REPEATS = 5


def _backend_cpu(pid: int | None) -> float | None:
    """CPU seconds a local PostgreSQL backend has used (user + system), if we can see it."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backend_pid(session: Session) -> int | None:
    if session.get_bind().dialect.name != "postgresql":
        return None
    pid = session.connection().scalar(text("SELECT pg_backend_pid()"))
    session.rollback()
    return int(pid)


def _timed(session: Session, action: Callable[[], Any]) -> dict[str, Any]:
    """Wall time, this process's CPU time and (PostgreSQL) the server backend's CPU time."""
    pid = _backend_pid(session)
    server = _backend_cpu(pid)
    wall, cpu = time.perf_counter(), time.process_time()
    value = action()
    timing: dict[str, Any] = {
        "wall": round(time.perf_counter() - wall, 3),
        "cpu": round(time.process_time() - cpu, 3),
        "value": value,
    }
    after = _backend_cpu(pid)
    if server is not None and after is not None and _backend_pid(session) == pid:
        timing["server_cpu"] = round(after - server, 3)
    return timing


def _summary(name: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    walls = [run["wall"] for run in runs]
    summary: dict[str, Any] = {
        f"{name}_seconds": min(walls),
        f"{name}_median_seconds": round(median(walls), 3),
        f"{name}_runs": walls,
        f"{name}_cpu_seconds": min(run["cpu"] for run in runs),
    }
    servers = [run["server_cpu"] for run in runs if "server_cpu" in run]
    if servers:
        summary[f"{name}_server_cpu_seconds"] = min(servers)
        summary[f"{name}_cpu_plus_server_seconds"] = min(
            round(run["cpu"] + run["server_cpu"], 3) for run in runs if "server_cpu" in run
        )
    return summary


def _populate(url: str, concerns: int) -> float:
    engine = make_engine(url)
    session = Session(engine)
    try:
        started = time.perf_counter()
        generate_demo_data(
            session, concerns=concerns, seed=SEED, now=NOW, config_dir=ROOT / "config"
        )
        return round(time.perf_counter() - started, 1)
    finally:
        session.close()
        engine.dispose()


def _count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(Concern)) or 0)
    except Exception:
        return -1
    finally:
        engine.dispose()


def _sqlite_cache(concerns: int) -> tuple[Path, float | None]:
    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n", encoding="utf-8")
    path = CACHE / f"rollups-{concerns}-seed{SEED}.sqlite3"
    url = f"sqlite:///{path}"
    if path.exists() and _count(url) == concerns:
        upgrade(url)  # a newer migration since the file was made
        return path, None
    # Built under another name and renamed when complete, so a run interrupted (or a second
    # run at the same time) never leaves a half-filled cache behind.
    partial = path.with_suffix(f".partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    upgrade(f"sqlite:///{partial}")
    seconds = _populate(f"sqlite:///{partial}", concerns)
    os.replace(partial, path)
    return path, seconds


def _add_new_concerns(url: str, day: datetime) -> None:
    """10,000 concerns on one day, as if it were a busy day of intake: every district and
    neighbourhood, theme and channel in play, so the day's recount writes thousands of rows."""
    areas = load_areas(ROOT / "config" / "areas.yaml")
    places = [(d.id, n) for d in areas.districts for n in (*d.neighbourhoods, None)]
    themes = [*load_theme_names(ROOT / "config" / "themes.yaml"), None]
    rng = random.Random(SEED)
    rows = [
        {
            "reference": f"BENCH-{n:08d}",
            "text": "[Demo] benchmark concern",
            "text_redacted": "[Demo] benchmark concern",
            "district": district,
            "neighbourhood": neighbourhood,
            "channel": rng.choice(CHANNELS),
            "status": "new",
            "urgency": rng.choice(("routine",) * 19 + ("urgent",)),
            "theme": rng.choice(themes),
            "dealing_with_concerns": rng.choice(("agree", "disagree", "dont_know", None)),
            "submitted_at": day + timedelta(seconds=n * 8),
            "idempotency_key": f"demo:bench:{n}",
            "needs_review": False,
            "needs_translation": False,
        }
        for n in range(NEW_CONCERNS)
        for district, neighbourhood in [rng.choice(places)]
    ]
    engine = make_engine(url)
    session = Session(engine)
    with write_transaction(session):
        session.connection().execute(Base.metadata.tables["concerns"].insert(), rows)
    session.close()
    engine.dispose()


def _rebuild_as_the_job_runs(session: Session) -> int:
    """The rebuild with the checkpoint the job runner makes after it on SQLite."""
    rows = rebuild_rollups(session)
    checkpoint_wal(session)
    return rows


def _measure(url: str, repeats: int) -> dict[str, Any]:
    engine = make_engine(url)
    session = Session(engine)
    results: dict[str, Any] = {}
    try:
        rebuilds = [
            _timed(session, lambda: _rebuild_as_the_job_runs(session)) for _ in range(repeats)
        ]
        results.update(_summary("full_rebuild", rebuilds))
        results["rollup_rows"] = rebuilds[0]["value"]
        day = Period("day", london_today(NOW))
        _add_new_concerns(url, day.bounds_utc()[0] + timedelta(hours=1))
        context = JobContext(now=NOW, triggered_by="benchmark", settings={})
        daily = [
            _timed(session, lambda: rollup_period(session, day, context)) for _ in range(repeats)
        ]
        results.update(_summary("daily_after_10k", daily))
        results["daily_rows"] = daily[0]["value"].rows
        with write_transaction(session):
            session.execute(text("DELETE FROM concerns WHERE reference LIKE 'BENCH-%'"))
    finally:
        session.close()
        engine.dispose()
    results["met"] = {name: results[name] < target for name, target in TARGETS.items()}
    return results


def run_sqlite(concerns: int, repeats: int = REPEATS) -> dict[str, Any]:
    cached, generated = _sqlite_cache(concerns)
    with tempfile.TemporaryDirectory(prefix="engage-bench-rollups-") as tmp:
        work = Path(tmp) / "work.sqlite3"
        shutil.copyfile(cached, work)
        results = _measure(f"sqlite:///{work}", repeats)
    results["sqlite_version"] = sqlite_dbapi().sqlite_version
    results["generated_seconds"] = generated
    return results


def _pg_base() -> str:
    return (
        os.environ.get("ENGAGE_BENCH_DATABASE_URL")
        or os.environ.get("ENGAGE_TEST_DATABASE_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )


def run_postgresql(concerns: int, repeats: int = REPEATS) -> dict[str, Any]:
    base = _pg_base()
    admin = create_engine(base)
    try:
        with admin.begin() as connection:
            version = connection.scalar(text("SHOW server_version"))
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{PG_SCHEMA}"'))
    except Exception as error:
        return {"skipped": f"PostgreSQL not reachable at {make_url(base)!r}: {error}"}
    finally:
        admin.dispose()
    url = (
        make_url(base)
        .update_query_dict({"options": f"-csearch_path={PG_SCHEMA}"})
        .render_as_string(hide_password=False)
    )
    # One benchmark at a time on the shared schema: a second run waits here.
    locks = create_engine(base, isolation_level="AUTOCOMMIT")
    with locks.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(hashtext(:name))"), {"name": PG_SCHEMA})
        try:
            return _postgresql_locked(url, concerns, version, repeats)
        finally:
            holder.execute(text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": PG_SCHEMA})
            locks.dispose()


def _postgresql_locked(url: str, concerns: int, version: object, repeats: int) -> dict[str, Any]:
    upgrade(url)
    generated = None
    if _count(url) != concerns:
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("TRUNCATE concerns, concern_counts RESTART IDENTITY CASCADE"))
        engine.dispose()
        generated = _populate(url, concerns)
    engine = make_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # Index-only scans need the visibility map a vacuum writes.
        connection.execute(text("VACUUM ANALYZE concerns"))
    engine.dispose()
    results = _measure(url, repeats)
    results["postgresql_version"] = version
    results["generated_seconds"] = generated
    return results


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--concerns", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--no-postgresql", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    results: dict[str, Any] = {
        "machine": machine_facts(),
        "concerns": args.concerns,
        "targets": TARGETS,
        "sqlite": run_sqlite(args.concerns, args.repeats),
    }
    if not args.no_postgresql:
        results["postgresql"] = run_postgresql(args.concerns, args.repeats)
    if args.json:
        print(json.dumps(results, indent=2, default=str))
    else:
        for name in ("sqlite", "postgresql"):
            for key, value in results.get(name, {}).items():
                print(f"{name:<11} {key:<36} {value}")
        print(f"machine     {results['machine']}")
    return results


if __name__ == "__main__":
    main()
