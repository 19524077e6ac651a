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
    StaleRollupDay,
)
from engage.models.outreach import SESSION_KINDS, ImportBatch, OutreachSession
from engage.models.panels import (
    NOTIFICATION_KINDS,
    NOTIFICATION_STATES,
    PRIORITY_STATUSES,
    Notification,
    Panel,
    PanelMeeting,
    Priority,
    PriorityAction,
    PriorityTheme,
    PublishedQuote,
)
from engage.models.staff import ROLES, User
from engage.models.triage import AuditEvent, ThemeLabel

__all__ = [
    "CHANNELS",
    "NOTIFICATION_KINDS",
    "NOTIFICATION_STATES",
    "PRIORITY_STATUSES",
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
    "Notification",
    "OutreachSession",
    "Panel",
    "PanelMeeting",
    "Priority",
    "PriorityAction",
    "PriorityTheme",
    "PublishedQuote",
    "StaleRollupDay",
    "ThemeLabel",
    "UTCDateTime",
    "User",
]
