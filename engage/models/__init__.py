"""Database tables. Importing this package registers every table on ``Base.metadata``."""

from engage.models.base import Base, UTCDateTime
from engage.models.concern import CHANNELS, Concern, ConcernContact, ConcernTheme

__all__ = ["CHANNELS", "Base", "Concern", "ConcernContact", "ConcernTheme", "UTCDateTime"]
