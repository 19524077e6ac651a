"""Scale-out, shown rather than claimed: two web processes (gunicorn with the production
settings in deploy/gunicorn.conf.py) and two schedulers run as real processes against one
PostgreSQL schema and one Redis.

Concerns sent through either process land in the one database; rate limits count across
both (a client cannot double its allowance by alternating between them); and though both
schedulers fire every job, each job's period is run exactly once.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
import yaml
from sqlalchemy import create_engine, text

from tests.pages import Page
from tests.robustness.conftest import required
from tests.robustness.processes import (
    ROOT,
    Answer,
    children_of,
    exchange,
    free_port,
    production_env,
    random_source,
    start_scheduler,
    stop_process,
)

REDIS_ENV = "ENGAGE_TEST_REDIS_URL"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
# Sign-in attempts an address may make a minute (the service's default), and concerns
# (set for the test, as production's allowance is the same in a minute but also hourly).
SIGN_IN_LIMIT = 10
SUBMIT_LIMIT = 10
# Jobs that fire every minute for the period they are in, so both schedulers fire them soon.
JOBS = [
    ("rollup-day", "jobs.rollups:rollup_period", "day"),
    ("retention", "jobs.maintenance:apply_retention", "day"),
    ("emerging-issues-week", "jobs.emerging:detect_emerging_issues", "week"),
]
SCHEDULER_WAIT = 150


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get(REDIS_ENV, DEFAULT_REDIS)
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Scale-out test skipped: no Redis at {url} ({error}); set {REDIS_ENV}"
        if required("ENGAGE_REQUIRE_REDIS"):
            pytest.fail(message + " (ENGAGE_REQUIRE_REDIS=1)")
        pytest.skip(message)
    return url


def every_minute_config(workdir: Path) -> Path:
    """The service's config with a catalogue whose jobs fire every minute."""
    config = workdir / "config"
    shutil.copytree(ROOT / "config", config)
    catalogue = yaml.safe_load((config / "schedules.yaml").read_text())
    catalogue["jobs"] = [
        {
            "name": name,
            "function": function,
            "grain": grain,
            "cron": "* * * * *",
            "period": "current",
            "description": f"{name}, every minute for this test",
        }
        for name, function, grain in JOBS
    ]
    (config / "schedules.yaml").write_text(yaml.safe_dump(catalogue))
    return config


class WebProcess:
    """``gunicorn -c deploy/gunicorn.conf.py``, as the Procfile starts it."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
                env={**env, "HOST": "127.0.0.1", "PORT": str(self.port), "WEB_CONCURRENCY": "1"},
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                start_new_session=True,
            )
        self.log = log

    def wait_ready(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped:\n{self.log.read_text()[-3000:]}")
            if children_of(self.process.pid):
                try:
                    if exchange(self.url, "GET", "/healthz", timeout=2).status == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn was not ready:\n{self.log.read_text()[-3000:]}")


def submit(web: WebProcess, source: str, text_: str) -> Answer:
    body = json.dumps({"text": text_, "district": "fenland"}).encode()
    return exchange(
        web.url,
        "POST",
        "/api/v1/concerns",
        body=body,
        headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
        source=source,
    )


def sign_in_attempt(web: WebProcess, source: str, cookie: str, token: str) -> int:
    form = {"csrf_token": token, "email": "nobody@example.org", "password": "not the one"}
    return exchange(
        web.url,
        "POST",
        "/staff/sign-in",
        body=urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        source=source,
    ).status


def database_rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.postgresql
def test_two_web_processes_and_two_schedulers_share_one_database_and_one_redis(
    fresh_postgresql_url: str, redis_url: str, tmp_path: Path
) -> None:
    env = production_env(
        fresh_postgresql_url,
        tmp_path,
        ENGAGE_RATELIMIT_STORAGE_URI=redis_url,
        ENGAGE_SUBMIT_RATE_LIMIT=f"{SUBMIT_LIMIT} per minute",
        ENGAGE_CONFIG_DIR=str(every_minute_config(tmp_path)),
    )
    schedulers = [start_scheduler(env, tmp_path / "scheduler-1.log")]
    webs = [WebProcess(env, tmp_path / f"web-{n}.log") for n in (1, 2)]
    try:
        schedulers.append(start_scheduler(env, tmp_path / "scheduler-2.log"))
        for web in webs:
            web.wait_ready()
        rng = random.Random(7)

        # Concerns through both processes land in the one database.
        references = []
        for number in range(20):
            answer = submit(webs[number % 2], random_source(rng), f"Concern {number} on Elm Road")
            assert answer.status == 201, answer.body
            references.append(json.loads(answer.body)["reference"])
        stored = database_rows(fresh_postgresql_url, "SELECT reference FROM concerns")
        assert sorted(str(r) for (r,) in stored) == sorted(references)

        # One address, alternating processes: the limit is reached across both, not per
        # process (each saw only half of the requests).
        resident = random_source(rng)
        statuses = [
            submit(webs[n % 2], resident, f"Parking on the verge {n}").status
            for n in range(SUBMIT_LIMIT + 1)
        ]
        assert statuses == [201] * SUBMIT_LIMIT + [429]

        intruder = random_source(rng)
        page = exchange(webs[0].url, "GET", "/staff/sign-in", source=intruder)
        cookie = page.cookies[0].split(";", 1)[0]
        token = Page.of(page.body).csrf_token()
        attempts = [
            sign_in_attempt(webs[n % 2], intruder, cookie, token) for n in range(SIGN_IN_LIMIT + 1)
        ]
        assert attempts == [400] * SIGN_IN_LIMIT + [429]

        # Both schedulers fire every job; each (job, period) is claimed and run once.
        runs = wait_for_runs(
            fresh_postgresql_url, [tmp_path / f"scheduler-{n}.log" for n in (1, 2)]
        )
        assert sorted(str(name) for name, _, _, _ in runs) == sorted(name for name, _, _ in JOBS)
        assert {outcome for _, _, outcome, _ in runs} == {"succeeded"}
        assert {triggered_by for _, _, _, triggered_by in runs} == {"scheduler"}
    finally:
        for web in webs:
            stop_process(web.process)
        for scheduler in schedulers:
            stop_process(scheduler)


def wait_for_runs(url: str, logs: list[Path]) -> list[tuple[object, ...]]:
    """Once every job has finished its period and both schedulers have fired each job, the
    run records; fails if a scheduler never fired or a period ran twice."""
    deadline = time.monotonic() + SCHEDULER_WAIT
    while True:
        runs = database_rows(
            url, "SELECT job_name, period_key, outcome, triggered_by FROM job_runs"
        )
        fired = [
            all(f'Running job "{name} ' in log.read_text(errors="replace") for name, _, _ in JOBS)
            for log in logs
        ]
        finished = len(runs) == len(JOBS) and all(outcome != "running" for *_, outcome, _ in runs)
        if finished and all(fired):
            return runs
        if time.monotonic() > deadline:
            tails = "\n".join(log.read_text(errors="replace")[-2000:] for log in logs)
            raise AssertionError(f"runs {runs}, fired {fired} after {SCHEDULER_WAIT} s:\n{tails}")
        time.sleep(1)


def test_the_production_layout_names_every_process_and_what_each_needs() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"web", "scheduler", "postgres", "redis"} <= set(services)
    for name in ("web", "scheduler"):
        environment = services[name]["environment"]
        assert environment["ENGAGE_ENV"] == "production"
        assert environment["ENGAGE_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert environment["ENGAGE_SECRET_KEY"]
        assert environment["ENGAGE_RATELIMIT_STORAGE_URI"].startswith("redis://redis:")
        assert int(environment["ENGAGE_TRUSTED_PROXIES"]) >= 0
    assert services["web"]["command"] == ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
    assert services["scheduler"]["command"] == ["engage", "scheduler"]
    assert services["scheduler"]["deploy"]["replicas"] == 1
    procfile = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert procfile["web"] == "gunicorn -c deploy/gunicorn.conf.py"
    assert procfile["scheduler"] == "engage scheduler"
