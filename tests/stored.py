"""Reading back what the service stored, as a test checks it."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engage.extensions import db
from engage.models import Concern


def stored_concerns(app: Flask) -> list[Concern]:
    """Every concern in the app's database, oldest first, with contact and themes loaded."""
    with app.app_context():
        concerns = list(
            db.session.scalars(
                select(Concern)
                .options(selectinload(Concern.contact), selectinload(Concern.themes))
                .order_by(Concern.id)
            )
        )
        db.session.expunge_all()
        return concerns
