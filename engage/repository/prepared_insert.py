"""An INSERT of a fixed set of columns, compiled once, for writes on the driver itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Table, insert

from engage.database import DriverWrite

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    positional: bool
    processors: Mapping[str, Processor]
    returns_key: bool


class PreparedInsert:
    """An INSERT of a fixed set of columns, compiled once per kind of database.

    Intake is the hottest write in the service. ``Connection.execute`` on a Core statement
    looks up its compiled form and works out bind processing on every call, which costs a
    submission more than the database's own work; here the SQL text and each column's
    bind processor (the same ones SQLAlchemy would use) are settled once, and rows go
    straight to the driver in a ``DriverWrite`` (``engage.database.driver_write``).
    """

    def __init__(self, table: Table, columns: Sequence[str], *, return_key: bool) -> None:
        unknown = set(columns) - set(table.c.keys())
        if unknown:
            raise ValueError(f"{table.name} has no columns {sorted(unknown)}")
        self.table = table
        self.columns = tuple(columns)
        self.return_key = return_key
        self._by_dialect: dict[tuple[str, str], _Compiled] = {}

    def execute(self, write: DriverWrite, row: Mapping[str, Any]) -> int | None:
        """Insert one row (every column named, None for NULL); its primary key if asked."""
        compiled = self._compiled(write.dialect)
        cursor = write.execute(compiled.sql, _parameters(compiled, row))
        if not self.return_key:
            return None
        if compiled.returns_key:
            returned = cursor.fetchone()
            assert returned is not None, "INSERT ... RETURNING gave no row"
            return int(returned[0])
        return int(cursor.lastrowid)

    def execute_many(self, write: DriverWrite, rows: Sequence[Mapping[str, Any]]) -> None:
        if self.return_key:
            raise TypeError("execute_many cannot return the keys of the rows it inserts")
        compiled = self._compiled(write.dialect)
        write.execute_many(compiled.sql, [_parameters(compiled, row) for row in rows])

    def _compiled(self, dialect: Dialect) -> _Compiled:
        kind = (dialect.name, dialect.driver)
        compiled = self._by_dialect.get(kind)
        if compiled is None:
            compiled = self._by_dialect[kind] = self._compile(dialect)
        return compiled

    def _compile(self, dialect: Dialect) -> _Compiled:
        statement = insert(self.table)
        # The driver's lastrowid where the dialect trusts it (SQLite): no result rows to read.
        returns_key = self.return_key and not getattr(dialect, "postfetch_lastrowid", False)
        if returns_key:
            statement = statement.returning(*self.table.primary_key.columns)
        compiled = statement.compile(dialect=dialect, column_keys=list(self.columns))
        bound = set(compiled.binds)
        if bound != set(self.columns):
            raise RuntimeError(f"INSERT INTO {self.table.name} binds {sorted(bound)}")
        processors: dict[str, Processor] = {}
        for name in self.columns:
            column_type = self.table.c[name].type
            processor = column_type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        # A positional driver (SQLite's) takes the values in the order the SQL binds them.
        names = tuple(compiled.positiontup or ()) if compiled.positional else self.columns
        return _Compiled(compiled.string, names, compiled.positional, processors, returns_key)


def _parameters(compiled: _Compiled, row: Mapping[str, Any]) -> Any:
    processors = compiled.processors

    def value(name: str) -> Any:
        raw = row[name]
        processor = processors.get(name)
        return raw if processor is None or raw is None else processor(raw)

    if compiled.positional:
        return tuple(value(name) for name in compiled.names)
    return {name: value(name) for name in compiled.names}
