"""Fixtures for the robustness tests: a fresh, migrated database of their own on each engine.

These tests start real server processes, kill them and restart PostgreSQL, so they never
share the suite's test schema: each gets a SQLite file or a PostgreSQL schema, dropped after.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engage.migrate import upgrade
from tests.conftest import POSTGRES_ENV, POSTGRES_HOW, make_test_app

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def required(flag: str) -> bool:
    return os.environ.get(flag, "") == "1"


def postgresql_base_url() -> str:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        if required("ENGAGE_REQUIRE_POSTGRESQL"):
            pytest.fail(f"{POSTGRES_ENV} is not set but ENGAGE_REQUIRE_POSTGRESQL=1")
        pytest.skip(POSTGRES_HOW)
    return base


def fresh_sqlite_url(workdir: Path) -> str:
    url = f"sqlite:///{workdir / 'engage.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def fresh_postgresql_url() -> Iterator[str]:
    """A new schema in the test database, migrated, dropped after the test."""
    base = postgresql_base_url()
    schema = f"engage_robust_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, pool_pre_ping=True)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        admin.dispose()
        pytest.fail(f"Cannot reach the PostgreSQL server at {POSTGRES_ENV}: {error}")
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    upgrade(rendered)
    try:
        yield rendered
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return fresh_sqlite_url(tmp_path)
    url: str = request.getfixturevalue("fresh_postgresql_url")
    return url


class PostgresCluster:
    """The local PostgreSQL cluster the test database lives on, which a test may restart."""

    def __init__(self, version: str, name: str = "main") -> None:
        self.version = version
        self.name = name

    def _ctl(self, action: str) -> None:
        subprocess.run(
            # After "--", options for pg_ctl: wait up to two minutes for the action.
            [
                *("pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name),
                *(action, "--", "-t", "120"),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )

    def restart(self, url: str) -> None:
        """Restart the server in "fast" mode: every connection is cut at once, as in a
        failover. A checkpoint first keeps the shutdown short on a busy server. (An
        immediate stop would be closer to a crash, but its recovery fsyncs the whole data
        directory before accepting connections, minutes on a busy test server.)"""
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text("CHECKPOINT"))
        finally:
            engine.dispose()
        try:
            self._ctl("restart")
        finally:
            status = ["pg_ctlcluster", self.version, self.name, "status"]
            if subprocess.run(status, capture_output=True, check=False).returncode:
                self._ctl("start")

    def wait_ready(self, url: str, seconds: float = 60) -> None:
        engine = create_engine(url, pool_pre_ping=True)
        deadline = time.monotonic() + seconds
        try:
            while True:
                try:
                    with engine.connect() as connection:
                        connection.execute(text("SELECT 1"))
                    return
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        finally:
            engine.dispose()


def restartable_cluster(url: str) -> PostgresCluster | str:
    """The cluster behind ``url`` if this test may restart it, else why not."""
    host = make_url(url).host or "localhost"
    if host not in LOOPBACK:
        return f"the test database is on {host}, not this machine"
    if shutil.which("pg_ctlcluster") is None:
        return "pg_ctlcluster is not installed"
    if os.geteuid() != 0:
        return "restarting PostgreSQL needs root (pg_ctlcluster)"
    versions = sorted(p.parent.name for p in Path("/etc/postgresql").glob("*/main"))
    if len(versions) != 1:
        return f"expected one local cluster in /etc/postgresql, found {versions or 'none'}"
    return PostgresCluster(versions[0])


@pytest.fixture
def postgres_cluster(fresh_postgresql_url: str) -> PostgresCluster:
    cluster = restartable_cluster(fresh_postgresql_url)
    if isinstance(cluster, str):
        message = f"PostgreSQL restart under load skipped: {cluster}"
        if required("ENGAGE_REQUIRE_POSTGRESQL"):
            pytest.fail(message + " (ENGAGE_REQUIRE_POSTGRESQL=1)")
        pytest.skip(message)
    return cluster


@pytest.fixture
def fuzz_app(database_url: str, tmp_path: Path) -> Flask:
    """The app on each database without CSRF checks or rate limits, which would turn most
    fuzzed inputs away before they reach the code under test (both have tests of their own)."""
    return make_test_app(
        database_url,
        ENGAGE_MODEL_DIR=tmp_path / "models",
        ENGAGE_UPLOAD_DIR=tmp_path / "uploads",
        ENGAGE_OUTBOX_DIR=tmp_path / "outbox",
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
    )
