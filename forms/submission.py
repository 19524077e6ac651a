"""What a validated concern form hands to the intake service."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContactDetails:
    name: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class ConcernSubmission:
    text: str
    district: str
    place: str | None
    impact: str | None
    dealing_with_concerns: str | None
    age_band: str | None
    contact: ContactDetails | None
    district_from_place: bool = False
