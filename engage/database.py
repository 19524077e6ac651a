"""Engine set-up shared by the web app, the CLI and jobs.

SQLite is made safe for several processes: WAL, a busy timeout, and ``BEGIN IMMEDIATE``
for transactions that will write (a deferred transaction that later needs the write lock
fails at once with "database is locked", ignoring the timeout).

The WAL is checkpointed in batches of ``SQLITE_WAL_AUTOCHECKPOINT_PAGES`` (about 40 MB)
rather than SQLite's 1,000 pages. The commit that passes the mark runs the checkpoint, and
while other workers hold snapshots the WAL cannot start again from the top, so at the
default every commit past the mark ran one: two fsyncs and the hot pages copied again, for
each new concern (0.3 fsyncs a submission with four workers). ``journal_size_limit`` cuts
the file back to 64 MB once a burst is over.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import (
    Connection,
    Dialect,
    Engine,
    Insert,
    Select,
    TableClause,
    create_engine,
    event,
    insert,
)
from sqlalchemy.engine import URL
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection

from engage.sqlite_library import sqlite_dbapi

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 10_000
SQLITE_JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024
_BEGIN_OPTION = "engage_sqlite_begin"


def engine_options(url: str) -> dict[str, Any]:
    """Options for ``create_engine`` suited to the database the URL names."""
    if url.startswith("sqlite"):
        return {
            "module": sqlite_dbapi(),
            "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        }
    return {"pool_pre_ping": True}


def configure_engine(engine: Engine) -> Engine:
    """Attach the per-connection settings SQLite needs; a no-op for other databases."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "connect", _sqlite_connect):
        return engine
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def make_engine(url: str) -> Engine:
    return configure_engine(create_engine(url, **engine_options(url)))


def in_a_file(url: URL) -> bool:
    """Whether the SQLite database is a file a second connection can open: an in-memory
    one is a different database on every connection, or one shared connection."""
    database = url.database or ""
    return (
        database not in ("", ":memory:")
        and "mode=memory" not in database
        and url.query.get("mode") != "memory"
    )


def checkpoint_wal(session: Session) -> None:
    """Copy what SQLite's WAL holds into the database file now, after a job that wrote in
    bulk; nothing to do on other databases.

    Otherwise the first commit to take the WAL past ``SQLITE_WAL_AUTOCHECKPOINT_PAGES``,
    most often a resident's new concern, would do the copying while they wait. PASSIVE:
    it copies what no reader still needs and waits for nobody.
    """
    end_read(session)
    engine = session.get_bind().engine
    if engine.dialect.name != "sqlite" or not in_a_file(engine.url):
        return
    pooled = engine.raw_connection()
    try:
        cursor = pooled.cursor()
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        cursor.close()
    finally:
        pooled.close()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
        cursor.execute(f"PRAGMA journal_size_limit = {SQLITE_JOURNAL_SIZE_LIMIT_BYTES}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def end_read(session: Session) -> None:
    """End the session's read transaction before a write of its own begins elsewhere;
    refuses if the session holds unsaved changes that would be silently dropped."""
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("A write started with unsaved changes pending in the session")
        session.rollback()


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run a block that writes as one transaction, committed at the end or rolled back.

    On SQLite the transaction takes the write lock up front, so concurrent writers queue
    on the busy timeout instead of failing.
    """
    end_read(session)
    session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def rows_written(result: object) -> int:
    """The rows a statement's result says it changed, 0 where the driver gives none (-1)."""
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def insert_from_select(target: TableClause, rows: Select[Any]) -> Insert:
    """INSERT INTO ``target`` (its columns) SELECT ``rows``, keeping the statement's row
    count for ``rows_written`` (SQLAlchemy keeps an INSERT's only when asked)."""
    return (
        insert(target)
        .from_select(list(target.columns.keys()), rows)
        .execution_options(preserve_rowcount=True)
    )


def taking_write_lock(connection: Connection) -> Connection:
    """``connection`` with each transaction taking SQLite's write lock as it begins."""
    return connection.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})


@contextmanager
def write_connection(session: Session) -> Iterator[Connection]:
    """Like ``write_transaction``, on a connection of the session's engine, for writes made
    of plain statements only: committed at the end or rolled back, the write lock taken up
    front on SQLite. It skips the session's own transaction bookkeeping, which costs the
    hottest write (a new concern) more than the INSERT itself.
    """
    end_read(session)
    with session.get_bind().engine.connect() as connection:
        taking_write_lock(connection)
        with connection.begin():
            yield connection


class DriverWrite:
    """One write transaction on a pooled driver connection: see ``driver_write``.

    ``execute`` raises SQLAlchemy's exceptions (``IntegrityError`` for a unique key
    already taken, and so on), as ``Connection.execute`` would.
    """

    def __init__(self, cursor: DBAPICursor, dialect: Dialect) -> None:
        self.cursor = cursor
        self.dialect = dialect
        self._driver_error: type[Exception] = dialect.loaded_dbapi.Error

    def execute(self, sql: str, parameters: Any) -> DBAPICursor:
        try:
            self.cursor.execute(sql, parameters)
        except self._driver_error as error:
            raise self.translated(error, sql, parameters) from error
        return self.cursor

    def execute_many(self, sql: str, rows: Any) -> None:
        try:
            self.cursor.executemany(sql, rows)
        except self._driver_error as error:
            raise self.translated(error, sql, rows) from error

    def translated(self, error: Exception, sql: str | None, parameters: Any) -> StatementError:
        return DBAPIError.instance(sql, parameters, error, self._driver_error, dialect=self.dialect)


@contextmanager
def driver_write(session: Session) -> Iterator[DriverWrite]:
    """Like ``write_connection``, with the SQL handed straight to the driver.

    For the hottest write, a new concern: a few INSERTs compiled once
    (``engage.repository.prepared_insert``). SQLAlchemy's ``Connection`` spends more on
    checking out, beginning, executing and committing than the database spends storing
    the rows, so this takes a connection from the same pool and does each step on the
    driver itself. Engine events (``begin``, ``before_cursor_execute``, echo) do not see
    these statements. Committed at the end or rolled back; SQLite's write lock is taken up
    front, as ``write_transaction`` does.
    """
    end_read(session)
    engine = session.get_bind().engine
    dialect = engine.dialect
    pooled = engine.raw_connection()
    cursor = pooled.cursor()
    write = DriverWrite(cursor, dialect)
    try:
        if dialect.name == "sqlite":
            write.execute("BEGIN IMMEDIATE", ())
        yield write
        try:
            pooled.commit()
        except dialect.loaded_dbapi.Error as error:
            raise write.translated(error, None, None) from error
    except BaseException as error:
        _end_failed_write(pooled, cursor, dialect, error)
        raise
    finally:
        with suppress(dialect.loaded_dbapi.Error):
            cursor.close()
        pooled.close()


def _end_failed_write(
    pooled: PoolProxiedConnection, cursor: DBAPICursor, dialect: Dialect, error: BaseException
) -> None:
    """Roll back; a connection that is broken, or will not roll back, leaves the pool."""
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(driver_error, dialect.loaded_dbapi.Error) and dialect.is_disconnect(
        driver_error, pooled.dbapi_connection, cursor
    ):
        pooled.invalidate(driver_error)
        return
    try:
        pooled.rollback()
    except dialect.loaded_dbapi.Error as rollback_error:
        pooled.invalidate(rollback_error)
