"""Helpers for job tests: a session on the test app's database and a quick concern maker."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import Concern

_numbers = itertools.count(1)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    from engage.extensions import db

    with app.app_context():
        opened = db.session()
        yield opened
        # Closed by reference: a command run in the test may have left another app context
        # current, and an open transaction would block the PostgreSQL clean-up.
        opened.close()
        db.session.remove()


def concern(**overrides: Any) -> Concern:
    """A stored-looking concern; tests name only what they are about."""
    number = next(_numbers)
    values: dict[str, Any] = {
        "reference": f"PP-TEST-{number:07d}",
        "text": "Cars racing along the High Street every night",
        "text_redacted": "Cars racing along the High Street every night",
        "district": "fenland",
        "neighbourhood": "Wisbech",
        "place": "Wisbech",
        "channel": "web",
        "status": "new",
        "urgency": "routine",
        "theme": "speeding",
        "submitted_at": datetime(2026, 11, 18, 12, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return Concern(**values)


def add_concerns(session: Session, concerns: list[Concern]) -> list[Concern]:
    with write_transaction(session):
        session.add_all(concerns)
    return concerns
