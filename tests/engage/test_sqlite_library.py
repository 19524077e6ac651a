"""Which SQLite library the engines use: the newer bundled one where installed, Python's
own on request or where it is missing, and a clear refusal for anything else."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from engage.database import make_engine
from engage.settings import ConfigurationError, Test
from engage.sqlite_library import SQLiteLibraryError, sqlite_dbapi


def test_system_is_pythons_own_sqlite3() -> None:
    import sqlite3

    assert sqlite_dbapi("system") is sqlite3.dbapi2


def test_unset_means_bundled_where_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    bundled = pytest.importorskip("pysqlite3.dbapi2")
    monkeypatch.delenv("ENGAGE_SQLITE_LIBRARY", raising=False)
    assert sqlite_dbapi() is bundled
    assert sqlite_dbapi("bundled") is bundled


def test_unset_falls_back_to_system_where_the_bundled_one_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sqlite3

    monkeypatch.setitem(sys.modules, "pysqlite3.dbapi2", None)
    monkeypatch.delenv("ENGAGE_SQLITE_LIBRARY", raising=False)
    assert sqlite_dbapi() is sqlite3.dbapi2
    with pytest.raises(SQLiteLibraryError, match="pysqlite3 is not installed"):
        sqlite_dbapi("bundled")


@pytest.mark.parametrize("value", ["newest", "sqlite3", "pysqlite3"])
def test_any_other_value_stops_the_service_starting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    monkeypatch.setenv("ENGAGE_SQLITE_LIBRARY", value)
    with pytest.raises(ConfigurationError, match="ENGAGE_SQLITE_LIBRARY is"):
        Test.finalise(tmp_path)


@pytest.mark.parametrize("library", ["system", "bundled"])
def test_what_either_library_writes_the_other_reads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, library: str
) -> None:
    pytest.importorskip("pysqlite3", reason="pysqlite3-binary is installed on Linux x86-64")
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    other = "system" if library == "bundled" else "bundled"
    monkeypatch.setenv("ENGAGE_SQLITE_LIBRARY", library)
    writer = make_engine(url)
    with writer.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE said (text TEXT)")
        connection.exec_driver_sql("INSERT INTO said VALUES ('Speeding on the A141 ✓')")
    monkeypatch.setenv("ENGAGE_SQLITE_LIBRARY", other)
    reader = make_engine(url)
    try:
        with reader.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("SELECT text FROM said").scalar() == (
                "Speeding on the A141 ✓"
            )
    finally:
        writer.dispose()
        reader.dispose()
