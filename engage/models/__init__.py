"""Database tables. Importing this package registers every table on ``Base.metadata``."""

from engage.models.base import Base, UTCDateTime
from engage.models.concern import CHANNELS, Concern, ConcernContact, ConcernTheme
from engage.models.jobs import (
    ConcernCount,
    Digest,
    EmergingIssue,
    JobRun,
    ModelVersion,
    NewTopic,
)
from engage.models.outreach import SESSION_KINDS, ImportBatch, OutreachSession
from engage.models.staff import ROLES, User
from engage.models.triage import AuditEvent, ThemeLabel

__all__ = [
    "CHANNELS",
    "ROLES",
    "SESSION_KINDS",
    "AuditEvent",
    "Base",
    "Concern",
    "ConcernContact",
    "ConcernCount",
    "ConcernTheme",
    "Digest",
    "EmergingIssue",
    "ImportBatch",
    "JobRun",
    "ModelVersion",
    "NewTopic",
    "OutreachSession",
    "ThemeLabel",
    "UTCDateTime",
    "User",
]
