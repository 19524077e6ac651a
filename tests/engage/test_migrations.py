"""Migrations go up, down and up again on each database, and build exactly the schema the
models describe."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from engage.migrate import current_heads, downgrade, head_revisions, upgrade
from engage.models import Base
from tests.conftest import POSTGRES_ENV, POSTGRES_HOW, _require


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _differences(url: str) -> list[object]:
    """What Alembic's autogenerate would change to make the database match the models."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))
    finally:
        engine.dispose()


def _round_trip(url: str) -> None:
    upgrade(url)
    assert current_heads(url) == head_revisions()
    assert _differences(url) == [], "the migrations and the models disagree"
    assert {"concerns", "concern_contacts", "users", "audit_events", "job_runs"} <= _tables(url)
    downgrade(url, "base")
    assert current_heads(url) == set()
    assert _tables(url) == set()
    upgrade(url)
    assert current_heads(url) == head_revisions()


def test_sqlite_migrates_up_down_and_up(tmp_path: object) -> None:
    _round_trip(f"sqlite:///{tmp_path}/migrations.sqlite3")


def test_postgresql_migrates_up_down_and_up() -> None:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        if _require("ENGAGE_REQUIRE_POSTGRESQL"):
            pytest.fail(f"{POSTGRES_ENV} is not set but ENGAGE_REQUIRE_POSTGRESQL=1")
        pytest.skip(POSTGRES_HOW)
    schema = f"engage_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        _round_trip(url.render_as_string(hide_password=False))
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
