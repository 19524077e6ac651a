"""Reading and writing concerns."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Table, and_, func, insert, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engage.models import Concern, ConcernContact, ConcernTheme

# Every column intake writes. A column left out is stored as NULL (Python-side defaults do
# not apply to these statements), so each new concern row must carry a value for each.
CONCERN_COLUMNS = (
    "reference",
    "text",
    "impact",
    "district",
    "place",
    "neighbourhood",
    "dealing_with_concerns",
    "age_band",
    "channel",
    "language",
    "status",
    "urgency",
    "urgency_reasons",
    "submitted_at",
    "submitted_day",
    "idempotency_key",
    "request_fingerprint",
    "theme",
    "theme_confidence",
    "model_version",
    "needs_review",
    "needs_translation",
    "classified_at",
    "text_redacted",
)
CONTACT_COLUMNS = (
    "concern_id",
    "name",
    "email",
    "phone",
    "consent_to_contact",
    "consent_wording_version",
    "consented_at",
)
THEME_COLUMNS = ("concern_id", "theme", "rank", "confidence", "source")

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
    straight to ``exec_driver_sql``.
    """

    def __init__(self, table: Table, columns: Sequence[str], *, return_key: bool) -> None:
        unknown = set(columns) - set(table.c.keys())
        if unknown:
            raise ValueError(f"{table.name} has no columns {sorted(unknown)}")
        self.table = table
        self.columns = tuple(columns)
        self.return_key = return_key
        self._by_dialect: dict[tuple[str, str], _Compiled] = {}

    def execute(self, connection: Connection, row: Mapping[str, Any]) -> int | None:
        """Insert one row (every column named, None for NULL); its primary key if asked."""
        compiled = self._compiled(connection.dialect)
        result = connection.exec_driver_sql(compiled.sql, _parameters(compiled, row))
        if not self.return_key:
            return None
        key = result.scalar_one() if compiled.returns_key else result.lastrowid
        return int(key)

    def execute_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if self.return_key:
            raise TypeError("execute_many cannot return the keys of the rows it inserts")
        compiled = self._compiled(connection.dialect)
        connection.exec_driver_sql(compiled.sql, [_parameters(compiled, row) for row in rows])

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


_INSERT_CONCERN = PreparedInsert(
    Concern.__table__,  # type: ignore[arg-type]
    CONCERN_COLUMNS,
    return_key=True,
)
_INSERT_CONTACT = PreparedInsert(
    ConcernContact.__table__,  # type: ignore[arg-type]
    CONTACT_COLUMNS,
    return_key=False,
)
_INSERT_THEMES = PreparedInsert(
    ConcernTheme.__table__,  # type: ignore[arg-type]
    THEME_COLUMNS,
    return_key=False,
)


def insert_concern(
    connection: Connection,
    concern: Mapping[str, Any],
    *,
    contact: Mapping[str, Any] | None = None,
    themes: Sequence[Mapping[str, Any]] = (),
) -> int:
    """Insert a new concern with its contact details and themes; return its id.

    ``concern`` holds a value for every name in ``CONCERN_COLUMNS``, ``contact`` and each
    theme for every name in ``CONTACT_COLUMNS`` and ``THEME_COLUMNS`` but ``concern_id``.
    Plain INSERTs rather than the unit of work: this only ever creates rows.
    """
    concern_id = _INSERT_CONCERN.execute(connection, concern)
    assert concern_id is not None
    if contact is not None:
        _INSERT_CONTACT.execute(connection, {**contact, "concern_id": concern_id})
    if themes:
        _INSERT_THEMES.execute_many(
            connection, [{**theme, "concern_id": concern_id} for theme in themes]
        )
    return concern_id


def fetch_concern_by_reference(session: Session, reference: str) -> Concern | None:
    return session.scalars(select(Concern).where(Concern.reference == reference)).one_or_none()


def fetch_concern_by_idempotency_key(session: Session, key: str) -> Concern | None:
    return session.scalars(select(Concern).where(Concern.idempotency_key == key)).one_or_none()


def reference_exists(session: Session, reference: str) -> bool:
    return session.scalar(select(Concern.id).where(Concern.reference == reference)) is not None


def counted(dialect: str | None = None) -> ColumnElement[bool]:
    """Which concerns count towards figures and priorities: not merged into another, not
    quarantined.

    "Not merged" is spelt as each database plans it best. On PostgreSQL, ``IS NULL``: it
    estimates that from its statistics, but guesses 0.5 % of rows for the ``coalesce``
    form and plans for far fewer rows than it meets. Elsewhere ``coalesce(duplicate_of_id,
    0) = 0``: SQLite without statistics serves ``IS NULL`` from ix_concerns_duplicate_of_id
    (nearly every row) instead of the covering index ix_concerns_rollup_day. Ids start at 1.
    """
    not_merged: ColumnElement[bool]
    if dialect == "postgresql":
        not_merged = Concern.duplicate_of_id.is_(None)
    else:
        not_merged = func.coalesce(Concern.duplicate_of_id, literal_column("0")) == literal_column(
            "0"
        )
    return and_(not_merged, Concern.status != "quarantined")
