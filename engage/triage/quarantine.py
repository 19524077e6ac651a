"""Why concerns were held as likely spam, read from their history for the pages that
list them (the intake service records the reasons when it stores a held concern)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.models import AuditEvent, Concern

QUARANTINED = "quarantined"


def quarantine_reasons(session: Session, concerns: Iterable[Concern]) -> dict[int, list[str]]:
    """Concern id -> the reasons it was held, for the quarantined ones among ``concerns``."""
    held = [str(c.id) for c in concerns if c.status == QUARANTINED]
    if not held:
        return {}
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "concern",
            AuditEvent.object_id.in_(held),
            AuditEvent.action == "update",
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    reasons: dict[int, list[str]] = {}
    for event in events:
        if event.detail.get("change") == QUARANTINED:
            reasons.setdefault(int(str(event.object_id)), []).extend(event.detail["reasons"])
    return reasons
