"""Setting up panels and recording what they decide: meetings, priorities, actions, outcomes.

Each change is one transaction with its audit event. Adopting a priority or recording an
action also queues the notifications residents are owed (``engage.services.notifications``)
in the same transaction, so a priority is never published without its messages queued.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from engage.areas import Areas
from engage.database import write_transaction
from engage.errors import EngageError
from engage.models import Panel, PanelMeeting, Priority, PriorityAction, PriorityTheme
from engage.repository import panels as records
from engage.services import audit, notifications

ENDINGS = ("achieved", "carried_over", "closed")
STATUS_LABELS = {
    "active": "Active",
    "achieved": "Achieved",
    "carried_over": "Carried over",
    "closed": "Closed",
}
MIN_PRIORITIES = 1
MAX_PRIORITIES = 5
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class PanelError(EngageError):
    title = "This change could not be made"
    status = 409


class PanelNotFound(EngageError):
    title = "No panel or priority matches this address"
    status = 404


def slug_for(district_id: str, neighbourhood: str | None = None) -> str:
    """A stable, URL-safe id: ``fenland``, ``cambridge-city-kings-hedges``."""
    text = district_id if neighbourhood is None else f"{district_id} {neighbourhood}"
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.casefold().replace("'", "").replace("\u2019", "")
    return _NOT_SLUG.sub("-", ascii_text).strip("-")


def panel_name(areas: Areas, district_id: str, neighbourhood: str | None) -> str:
    district = areas.district(district_id)
    if district is None:
        raise PanelError(f"Unknown district {district_id!r}")
    if neighbourhood is None:
        return f"{district.name} district panel"
    return f"{neighbourhood} neighbourhood panel ({district.name})"


def create_panel(
    session: Session,
    areas: Areas,
    district_id: str,
    neighbourhood: str | None,
    *,
    user_id: int | None,
    now: datetime,
) -> Panel:
    with write_transaction(session):
        panel = _new_panel(session, areas, district_id, neighbourhood, now)
        if panel is None:
            raise PanelError("This area already has a panel")
        audit.record(
            session,
            user_id=user_id,
            action="create",
            object_type="panel",
            object_id=panel.id,
            detail={"slug": panel.slug},
            now=now,
        )
    return panel


def sync_panels(session: Session, areas: Areas, *, now: datetime) -> list[Panel]:
    """One panel per district and per neighbourhood in ``areas``; those it had to create."""
    created: list[Panel] = []
    with write_transaction(session):
        for district in areas.districts:
            for neighbourhood in (None, *district.neighbourhoods):
                panel = _new_panel(session, areas, district.id, neighbourhood, now)
                if panel is not None:
                    created.append(panel)
        if created:
            audit.record(
                session,
                user_id=None,
                action="create",
                object_type="panel",
                detail={"slugs": [p.slug for p in created], "by": "engage panels sync"},
                now=now,
            )
    return created


def _new_panel(
    session: Session, areas: Areas, district_id: str, neighbourhood: str | None, now: datetime
) -> Panel | None:
    """A new panel for the area, or None when it already has one."""
    district = areas.district(district_id)
    if district is None or (
        neighbourhood is not None and neighbourhood not in district.neighbourhoods
    ):
        raise PanelError(f"Unknown area {district_id!r} {neighbourhood or ''}".strip())
    if records.panel_for_area(session, district_id, neighbourhood) is not None:
        return None
    return records.add_panel(
        session,
        Panel(
            slug=slug_for(district_id, neighbourhood),
            name=panel_name(areas, district_id, neighbourhood),
            district=district_id,
            neighbourhood=neighbourhood,
            created_at=now,
        ),
    )


@dataclass(frozen=True)
class NewPriority:
    wording: str
    themes: tuple[str, ...]
    owner: str
    review_on: date


@dataclass(frozen=True)
class Ending:
    """How a priority ended: achieved, carried over (to a new priority) or closed."""

    priority_id: int
    status: str
    outcome: str
    outcome_on: date


@dataclass(frozen=True)
class MeetingDetails:
    held_on: date
    attendees: int
    period_start: date
    period_end: date
    notes: str | None
    priorities: Sequence[NewPriority]
    endings: Sequence[Ending]


@dataclass(frozen=True)
class MeetingRecorded:
    meeting_id: int
    priorities: int
    notifications: int


def record_meeting(
    session: Session, panel_id: int, details: MeetingDetails, *, user_id: int | None, now: datetime
) -> MeetingRecorded:
    """The meeting, its priorities, the endings of the panel's open priorities, the audit
    events and the residents' notifications: all written, or none."""
    if not MIN_PRIORITIES <= len(details.priorities) <= MAX_PRIORITIES:
        raise PanelError(f"A meeting adopts {MIN_PRIORITIES} to {MAX_PRIORITIES} priorities")
    if details.period_start > details.period_end:
        raise PanelError("The evidence period must start before it ends")
    with write_transaction(session):
        open_ids = {p.id for p in records.active_priorities(session, panel_id)}
        if {e.priority_id for e in details.endings} != open_ids:
            raise PanelError("The panel's open priorities changed: reload the page")
        for ending in details.endings:
            _end(session, ending, user_id=user_id, now=now)
        meeting = PanelMeeting(
            panel_id=panel_id,
            held_on=details.held_on,
            attendees=details.attendees,
            period_start=details.period_start,
            period_end=details.period_end,
            notes=details.notes,
            recorded_by=user_id,
            recorded_at=now,
        )
        session.add(meeting)
        session.flush()
        audit.record(
            session,
            user_id=user_id,
            action="create",
            object_type="panel_meeting",
            object_id=meeting.id,
            detail={"panel_id": panel_id, "priorities": len(details.priorities)},
            now=now,
        )
        queued = 0
        for position, new in enumerate(details.priorities, start=1):
            priority = _adopt(session, meeting, position, new)
            audit.record(
                session,
                user_id=user_id,
                action="create",
                object_type="priority",
                object_id=priority.id,
                detail={"meeting_id": meeting.id, "themes": list(new.themes)},
                now=now,
            )
            queued += notifications.enqueue_priority_set(session, priority, now=now)
    return MeetingRecorded(meeting.id, len(details.priorities), queued)


def _adopt(session: Session, meeting: PanelMeeting, position: int, new: NewPriority) -> Priority:
    if new.review_on < meeting.held_on:
        raise PanelError("A review date must be on or after the meeting date")
    priority = Priority(
        meeting_id=meeting.id,
        panel_id=meeting.panel_id,
        position=position,
        wording=new.wording,
        owner=new.owner,
        set_on=meeting.held_on,
        review_on=new.review_on,
        status="active",
    )
    priority.themes = [PriorityTheme(theme=theme) for theme in sorted(set(new.themes))]
    session.add(priority)
    session.flush()
    return priority


def _end(session: Session, ending: Ending, *, user_id: int | None, now: datetime) -> Priority:
    if ending.status not in ENDINGS:
        raise PanelError(f"Unknown ending {ending.status!r}")
    priority = records.priority_by_id(session, ending.priority_id)
    if priority is None:
        raise PanelNotFound()
    if priority.status != "active":
        raise PanelError("This priority already has an outcome")
    if ending.outcome_on < priority.set_on:
        raise PanelError("An outcome date must be on or after the date the priority was set")
    priority.status = ending.status
    priority.outcome = ending.outcome
    priority.outcome_on = ending.outcome_on
    audit.record(
        session,
        user_id=user_id,
        action="update",
        object_type="priority",
        object_id=priority.id,
        detail={"change": "outcome", "status": ending.status},
        now=now,
    )
    return priority


def record_outcome(
    session: Session, ending: Ending, *, user_id: int | None, now: datetime
) -> Priority:
    with write_transaction(session):
        return _end(session, ending, user_id=user_id, now=now)


def record_action(
    session: Session,
    priority_id: int,
    taken_on: date,
    description: str,
    *,
    user_id: int | None,
    now: datetime,
) -> tuple[PriorityAction, int]:
    """The action and how many residents were queued a message about it."""
    with write_transaction(session):
        priority = records.priority_by_id(session, priority_id)
        if priority is None:
            raise PanelNotFound()
        if taken_on < priority.set_on:
            raise PanelError("An action must be on or after the date the priority was set")
        action = PriorityAction(
            priority_id=priority.id,
            taken_on=taken_on,
            description=description,
            recorded_by=user_id,
            recorded_at=now,
        )
        session.add(action)
        session.flush()
        audit.record(
            session,
            user_id=user_id,
            action="create",
            object_type="priority_action",
            object_id=action.id,
            detail={"priority_id": priority.id},
            now=now,
        )
        queued = notifications.enqueue_action_recorded(session, action, now=now)
    return action, queued
