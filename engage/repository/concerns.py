"""Reading and writing concerns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engage.database import DriverWrite
from engage.models import Concern, ConcernContact, ConcernTheme
from engage.repository.prepared_insert import PreparedInsert

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
    write: DriverWrite,
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
    concern_id = _INSERT_CONCERN.execute(write, concern)
    assert concern_id is not None
    if contact is not None:
        _INSERT_CONTACT.execute(write, {**contact, "concern_id": concern_id})
    if themes:
        _INSERT_THEMES.execute_many(
            write, [{**theme, "concern_id": concern_id} for theme in themes]
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
