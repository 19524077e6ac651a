"""What every SQLite connection of the service is set to: WAL, a busy timeout, foreign keys,
and a WAL checkpointed in batches rather than by every commit once it is past 1,000 pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from engage.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    SQLITE_JOURNAL_SIZE_LIMIT_BYTES,
    SQLITE_WAL_AUTOCHECKPOINT_PAGES,
    make_engine,
)

SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1_000


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'engage.sqlite3'}")
    yield engine
    engine.dispose()


def pragma(engine: Engine, name: str) -> object:
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_each_connection_is_set_up_for_several_processes(engine: Engine) -> None:
    assert pragma(engine, "journal_mode") == "wal"
    assert pragma(engine, "busy_timeout") == SQLITE_BUSY_TIMEOUT_MS
    assert pragma(engine, "synchronous") == 1  # NORMAL: no fsync on commit in WAL mode
    assert pragma(engine, "foreign_keys") == 1
    assert pragma(engine, "wal_autocheckpoint") == SQLITE_WAL_AUTOCHECKPOINT_PAGES
    assert pragma(engine, "journal_size_limit") == SQLITE_JOURNAL_SIZE_LIMIT_BYTES


def test_commits_past_sqlites_default_mark_are_not_checkpointed_one_by_one(
    engine: Engine, tmp_path: Path
) -> None:
    """With SQLite's default, the commit that takes the WAL past 1,000 pages copies them
    into the database and the WAL starts again from the top, so its file never grows past
    about 1,000 pages. Here the pages wait for a batch."""
    page_size = int(str(pragma(engine, "page_size")))
    commits = 400
    # Three pages of text a row (overflow pages) and its leaf: about four pages a commit.
    row_text = "x" * (3 * page_size)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE said (id INTEGER PRIMARY KEY, text TEXT)")
    for _ in range(commits):
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO said (text) VALUES (?)", (row_text,))

    wal_pages = (tmp_path / "engage.sqlite3-wal").stat().st_size // page_size
    assert wal_pages > 1.2 * SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES
    assert wal_pages < SQLITE_WAL_AUTOCHECKPOINT_PAGES
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM said").scalar() == commits
