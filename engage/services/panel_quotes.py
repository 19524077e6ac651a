"""Approving a resident's redacted words for publication from a panel pack, and withdrawing them.

The approved text is a copy of ``text_redacted`` as it stood at approval: later changes to
the concern do not change what is published until someone approves it again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import Concern, Panel, PublishedQuote
from engage.repository import panels as records
from engage.services import audit
from engage.services.panels import PanelError, PanelNotFound


def _concern_in(session: Session, panel: Panel, concern_id: int) -> Concern:
    concern = session.get(Concern, concern_id)
    if (
        concern is None
        or concern.district != panel.district
        or (panel.neighbourhood is not None and concern.neighbourhood != panel.neighbourhood)
    ):
        raise PanelNotFound()
    return concern


def approve_quote(
    session: Session, panel: Panel, concern_id: int, *, user_id: int | None, now: datetime
) -> PublishedQuote:
    with write_transaction(session):
        concern = _concern_in(session, panel, concern_id)
        text = (concern.text_redacted or "").strip()
        if not text or concern.status == "quarantined" or concern.duplicate_of_id is not None:
            raise PanelError("Only a counted concern's redacted words can be published")
        if records.published_quote(session, concern_id) is not None:
            raise PanelError("These words are already approved for publication")
        quote = PublishedQuote(
            concern_id=concern_id, text=text, approved_by=user_id, approved_at=now
        )
        session.add(quote)
        session.flush()
        audit.record(
            session,
            user_id=user_id,
            action="create",
            object_type="published_quote",
            object_id=quote.id,
            detail={"concern_id": concern_id, "panel": panel.slug},
            now=now,
        )
    return quote


def withdraw_quote(
    session: Session, panel: Panel, concern_id: int, *, user_id: int | None, now: datetime
) -> None:
    with write_transaction(session):
        _concern_in(session, panel, concern_id)
        quote = records.published_quote(session, concern_id)
        if quote is None:
            raise PanelError("These words are not published")
        audit.record(
            session,
            user_id=user_id,
            action="update",
            object_type="published_quote",
            object_id=quote.id,
            detail={"change": "withdrawn", "concern_id": concern_id, "panel": panel.slug},
            now=now,
        )
        session.delete(quote)
