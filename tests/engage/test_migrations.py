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


# Stored before 0006 (UTC), and the London day 0006 must give each.
BEFORE_0006 = [
    ("2026-06-30 23:30:00", "2026-07-01"),  # BST: already the next day in London
    ("2026-12-01 23:30:00", "2026-12-01"),  # GMT: still the same day
    ("2026-10-25 00:30:00", "2026-10-25"),  # 01:30 BST, the night the clocks go back
    ("2026-03-29 00:30:00", "2026-03-29"),  # 00:30 GMT, the night the clocks go forward
]


def _concerns_then_0006(url: str) -> None:
    """Concerns stored at 0005 get their London day when 0006 adds the column."""
    upgrade(url, "0005")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            # As each database holds a UTC timestamp: SQLite as text, PostgreSQL as timestamptz.
            utc = "" if connection.dialect.name == "sqlite" else "+00"
            for n, (moment, _) in enumerate(BEFORE_0006):
                connection.execute(
                    text(
                        "INSERT INTO concerns (reference, text, district, channel, status, "
                        "urgency, submitted_at, needs_review, needs_translation) VALUES "
                        "(:ref, 'Speeding', 'fenland', 'web', 'new', 'routine', :moment, "
                        "false, false)"
                    ),
                    {"ref": f"PP-MIGR-{n:04d}", "moment": f"{moment}{utc}"},
                )
        upgrade(url, "0006")
        with engine.connect() as connection:
            days = connection.execute(
                text("SELECT submitted_day FROM concerns ORDER BY reference")
            ).scalars()
            assert [str(day) for day in days] == [day for _, day in BEFORE_0006]
    finally:
        engine.dispose()
    downgrade(url, "base")


def _round_trip(url: str) -> None:
    _concerns_then_0006(url)
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
