"""A full rollup rebuild on SQLite, with a second connection counting the later days into a
scratch file meanwhile.

SQLite takes one writer at a time, but any number of readers, and a connection spends
its time inside SQLite with the GIL released. So while the lead connection, holding the
write lock, empties ``concern_counts`` and counts the earlier half of the days into it, a
helper thread's connection counts the later half into a table in a scratch database file
of its own (no journal: it is thrown away). The lead then copies those rows in, already
in key order, and commits: one transaction, as before, so readers see the old facts until
the commit and never a mix. Counting is the dearer half of the work (grouping the index
into groups, against appending rows), so the two cores share most of it: 1.6-1.8 s
against 2.2 s for one statement on a million concerns (docs/rollups.md).

Both connections count the same concerns: the helper starts reading only once the lead
holds the write lock, so no change can commit between the two reads. Marks read before
the rebuild are deleted in its transaction, as by a single-statement rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    Select,
    Table,
    TableClause,
    column,
    delete,
    func,
    select,
    table,
    text,
)
from sqlalchemy.engine import URL
from sqlalchemy.sql.elements import ColumnElement

from engage.database import insert_from_select, rows_written, taking_write_lock
from engage.models import Concern, ConcernCount, StaleRollupDay
from jobs.rollup_swap import middle_day

SCRATCH = "rollup_scratch"
LATER_DAYS = "later_days"

Counted = Select[tuple[object, ...]]
Counting = Callable[[ColumnElement[bool]], Counted]


def scratch_parent(url: URL) -> Path:
    """Where the scratch file goes: beside the database, on the disk already provisioned
    for it (about 25 MB a million concerns), whose folder SQLite must be able to write in
    anyway for its WAL. The system's temporary folder may be a small in-memory one."""
    database = url.database or ""
    if database.startswith("file:"):
        database = urlsplit(database).path
    return Path(database).resolve().parent


def rebuild_with_helper(
    engine: Engine, counting: Counting, columns: tuple[str, ...], mark_ids: Iterable[int]
) -> int:
    """Recount every day into ``concern_counts`` in one transaction, the later half of the
    days counted by a second connection; the rows written. ``counting(days)`` selects the
    facts of the days ``days`` picks, in ``columns`` order; ``mark_ids`` are the stale marks
    read before, deleted in the same transaction."""
    with (
        TemporaryDirectory(prefix="engage-rollups-", dir=scratch_parent(engine.url)) as folder,
        engine.connect() as lead,
        engine.connect() as helper,
    ):
        scratch = str(Path(folder) / "later-days.sqlite3")
        try:
            with taking_write_lock(lead).begin():
                lead.execute(delete(ConcernCount))
                wanted = sorted(mark_ids)
                if wanted:
                    lead.execute(delete(StaleRollupDay).where(StaleRollupDay.id.in_(wanted)))
                first, last = lead.execute(
                    select(func.min(Concern.submitted_day), func.max(Concern.submitted_day))
                ).one()
                split = middle_day(None, first, last)
                earlier = counting(Concern.submitted_day < split)
                later = counting(Concern.submitted_day >= split)
                with ThreadPoolExecutor(max_workers=1) as pool:
                    counted_later = pool.submit(
                        _count_into_scratch, helper, scratch, later, columns
                    )
                    rows = rows_written(lead.execute(insert_from_select(_live(columns), earlier)))
                    rows += counted_later.result()
                lead.exec_driver_sql(f"ATTACH DATABASE ? AS {SCRATCH}", (scratch,))
                kept = _scratch(columns)
                lead.execute(
                    insert_from_select(_live(columns), select(kept).order_by(text("rowid")))
                )
            return rows
        finally:
            for connection in (lead, helper):
                _detach(connection)


def _count_into_scratch(
    connection: Connection, scratch: str, counts: Counted, columns: tuple[str, ...]
) -> int:
    """Count ``counts`` into a new table in the scratch file, and commit."""
    driver = _driver(connection)
    driver.execute(f"ATTACH DATABASE ? AS {SCRATCH}", (scratch,))
    driver.execute(f"PRAGMA {SCRATCH}.journal_mode = OFF")
    driver.execute(f"PRAGMA {SCRATCH}.synchronous = OFF")
    target = _scratch(columns)
    with connection.begin():
        target.create(connection)
        return rows_written(connection.execute(insert_from_select(target, counts)))


def _live(columns: tuple[str, ...]) -> TableClause:
    return table(ConcernCount.__tablename__, *(column(name) for name in columns))


def _scratch(columns: tuple[str, ...]) -> Table:
    """The scratch table: the facts' columns, typed as in ``concern_counts``."""
    live = ConcernCount.__table__.columns
    return Table(
        LATER_DAYS,
        MetaData(),
        *(Column(name, live[name].type) for name in columns),
        schema=SCRATCH,
    )


def _detach(connection: Connection) -> None:
    """Outside any transaction (SQLite will not detach a file a transaction has read), so
    the connection goes back to the pool as it came."""
    if connection.closed or connection.invalidated:
        return
    if connection.in_transaction():
        connection.rollback()
    driver = _driver(connection)
    if any(row[1] == SCRATCH for row in driver.execute("PRAGMA database_list").fetchall()):
        driver.execute(f"DETACH DATABASE {SCRATCH}")


def _driver(connection: Connection) -> Any:
    """The SQLite connection itself, for statements SQLAlchemy must not wrap in a
    transaction (it is in autocommit mode: see engage.database)."""
    return connection.connection.driver_connection
