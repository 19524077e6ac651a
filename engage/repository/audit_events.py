"""Audit events written on the driver itself, in a ``DriverWrite`` of their own change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engage.database import DriverWrite
from engage.models import AuditEvent
from engage.repository.prepared_insert import PreparedInsert

_INSERT_EVENT = PreparedInsert(
    AuditEvent.__table__,  # type: ignore[arg-type]
    ("at", "user_id", "action", "object_type", "object_id", "detail"),
    return_key=False,
)


def insert_audit_event(write: DriverWrite, values: Mapping[str, Any]) -> None:
    """``values`` from ``engage.services.audit.event_values`` (the audit rules live there)."""
    _INSERT_EVENT.execute(write, values)
