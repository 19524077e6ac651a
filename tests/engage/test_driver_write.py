"""A write on the driver itself (``driver_write``): all of it or none of it, as SQLAlchemy's
own transactions behave, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from engage.database import driver_write
from engage.extensions import db
from engage.london_time import london_day
from engage.models import Concern, ConcernContact
from engage.repository.concerns import CONCERN_COLUMNS, insert_concern
from engage.sqlite_library import sqlite_dbapi
from tests.conftest import make_test_app
from tests.stored import stored_concerns

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session()


def concern_row(reference: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(CONCERN_COLUMNS)
    row.update(
        reference=reference,
        text="Cars racing along the High Street at night",
        district="fenland",
        channel="api",
        status="new",
        urgency="routine",
        submitted_at=NOW,
        submitted_day=london_day(NOW),
        needs_review=False,
        needs_translation=False,
    )
    row.update(values)
    return row


CONTACT = {
    "name": "Sam",
    "email": "sam@example.org",
    "phone": None,
    "consent_to_contact": True,
    "consent_wording_version": "v3",
    "consented_at": NOW,
}


def count(session: Session, model: type[Any]) -> int:
    total = session.scalar(select(func.count()).select_from(model)) or 0
    session.rollback()
    return total


def test_the_rows_of_one_write_are_stored_together(app: Flask, session: Session) -> None:
    with driver_write(session) as write:
        concern_id = insert_concern(write, concern_row("PP-2222-3333"), contact=CONTACT)

    (concern,) = stored_concerns(app)
    assert concern.id == concern_id
    assert (concern.reference, concern.submitted_at, concern.submitted_day) == (
        "PP-2222-3333",
        NOW,
        london_day(NOW),
    )
    assert concern.contact is not None
    assert (concern.contact.email, concern.contact.consented_at) == ("sam@example.org", NOW)


def test_a_failure_part_way_keeps_nothing_and_the_next_write_goes_ahead(
    app: Flask, session: Session
) -> None:
    def interrupted() -> None:
        with driver_write(session) as write:
            insert_concern(write, concern_row("PP-2222-3333"), contact=CONTACT)
            raise RuntimeError("the lights went out")

    with pytest.raises(RuntimeError, match="the lights went out"):
        interrupted()

    assert count(session, Concern) == 0
    assert count(session, ConcernContact) == 0
    with driver_write(session) as write:
        insert_concern(write, concern_row("PP-4444-5555"))
    assert [c.reference for c in stored_concerns(app)] == ["PP-4444-5555"]


def test_a_key_already_taken_is_sqlalchemys_integrity_error_and_undoes_the_whole_write(
    app: Flask, session: Session
) -> None:
    with driver_write(session) as write:
        insert_concern(write, concern_row("PP-2222-3333"))

    def reusing_a_reference() -> None:
        with driver_write(session) as write:
            insert_concern(write, concern_row("PP-6666-7777"), contact=CONTACT)
            insert_concern(write, concern_row("PP-2222-3333"))

    with pytest.raises(IntegrityError) as raised:
        reusing_a_reference()

    assert "INSERT INTO concerns" in str(raised.value.statement)
    assert [c.reference for c in stored_concerns(app)] == ["PP-2222-3333"]
    assert count(session, ConcernContact) == 0


def test_on_sqlite_the_write_lock_is_held_from_the_start(
    sqlite_app: Flask, sqlite_url: str
) -> None:
    # The service's own SQLite library: two copies in one process do not see each other's
    # locks.
    sqlite = sqlite_dbapi()
    with sqlite_app.app_context(), driver_write(db.session()):
        other = sqlite.connect(sqlite_url.removeprefix("sqlite:///"), timeout=0)
        try:
            with pytest.raises(sqlite.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_a_connection_the_server_drops_mid_write_leaves_the_pool(
    postgresql_url: str, tmp_path: Path
) -> None:
    app = make_test_app(postgresql_url, ENGAGE_MODEL_DIR=tmp_path / "models")
    admin = create_engine(postgresql_url)
    with app.app_context():
        session = db.session()
        backends: list[int] = []

        def cut_off() -> None:
            with driver_write(session) as write:
                backends.append(write.execute("SELECT pg_backend_pid()", ()).fetchone()[0])
                with admin.begin() as connection:
                    connection.execute(
                        text("SELECT pg_terminate_backend(:pid)"), {"pid": backends[0]}
                    )
                insert_concern(write, concern_row("PP-2222-3333"))

        with pytest.raises(DBAPIError):
            cut_off()

        with driver_write(session) as write:
            after = write.execute("SELECT pg_backend_pid()", ()).fetchone()[0]
            insert_concern(write, concern_row("PP-4444-5555"))
    admin.dispose()

    assert after != backends[0]
    assert [c.reference for c in stored_concerns(app)] == ["PP-4444-5555"]
