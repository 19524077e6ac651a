"""What analysts do to a concern: re-theme, mark handled, extend the redaction, merge.

Each action is one transaction with its audit event, so a change is never without its
record. The original text is never changed by any of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.errors import ConcernNotFound, EngageError
from engage.models import Concern, ThemeLabel, User
from engage.repository.concern_search import EVERYTHING, ConcernFilters, Scope, fetch_matching_ids
from engage.repository.rollup_marks import mark_stale
from engage.services import audit
from engage.services.corrections import correct_themes
from engage.triage.export_csv import ExportOptions

REDACTED = "[redacted]"
# Who may see what residents wrote before redaction, and their contact details.
PERSONAL_DATA_ROLES = frozenset({"analyst", "admin"})


class TriageRefused(EngageError):
    """An action that cannot be done to this concern as it stands; the message says why."""

    title = "This cannot be done to the concern"
    status = 409


class OutcomeNoteRequired(TriageRefused):
    pass


class PhrasesNotFound(TriageRefused):
    def __init__(self, missing: Sequence[str]) -> None:
        quoted = ", ".join(f"‘{p}’" for p in missing)  # noqa: RUF001 - typographic quotes
        super().__init__(
            f"These are not in the redacted text, so nothing was hidden: {quoted}. "
            "Check the spelling, or that they are not already hidden."
        )
        self.missing = list(missing)


def _concern(session: Session, concern_id: int) -> Concern:
    concern = session.get(Concern, concern_id, with_for_update=True)
    if concern is None:
        raise ConcernNotFound(f"No concern has the id {concern_id}")
    return concern


def retheme(
    session: Session,
    concern_id: int,
    *,
    theme: str,
    secondary: Sequence[str],
    user_id: int,
    now: datetime,
) -> ThemeLabel:
    """A person's verdict on the themes, kept as a label for retraining (and audited)."""
    return correct_themes(session, concern_id, theme, list(secondary), user_id, now)


def mark_handled(
    session: Session, concern_id: int, *, outcome_note: str | None, user_id: int, now: datetime
) -> Concern:
    note = (outcome_note or "").strip() or None
    with write_transaction(session):
        concern = _concern(session, concern_id)
        if concern.status == "handled":
            raise TriageRefused("This concern was already marked as handled")
        if concern.duplicate_of_id is not None:
            raise TriageRefused("This concern is merged as a duplicate: unmerge it first")
        if concern.urgency == "urgent" and note is None:
            raise OutcomeNoteRequired(
                "Enter an outcome note: an urgent concern needs one before it is handled"
            )
        previous = concern.status
        concern.status = "handled"
        if previous == "quarantined":
            mark_stale(session, concern.submitted_day, now)
        concern.handled_at = now
        concern.handled_by = user_id
        concern.outcome_note = note
        audit.record_concern_change(
            session,
            concern.id,
            "handled",
            user_id=user_id,
            now=now,
            # The note itself stays on the concern: the log says one was written.
            from_status=previous,
            urgent=concern.urgency == "urgent",
            outcome_note=note is not None,
        )
    return concern


def _hide(text: str, phrases: Sequence[str]) -> tuple[str, int, list[str]]:
    """Replace every occurrence of each phrase with the marker, never inside a marker.

    The text is held as the pieces between markers, so a phrase can neither match part of
    "[redacted]" nor span one. Longer phrases go first, so "John Smith" is hidden whole
    before "John". Returns the new text, the replacements made, and the phrases not found.
    """
    pieces = text.split(REDACTED)
    total = 0
    missing: list[str] = []
    for phrase in sorted(phrases, key=len, reverse=True):
        pattern = re.compile(re.escape(phrase), re.IGNORECASE)
        split = [pattern.split(piece) for piece in pieces]
        found = sum(len(parts) - 1 for parts in split)
        if found == 0:
            missing.append(phrase)
        total += found
        pieces = [part for parts in split for part in parts]
    return REDACTED.join(pieces), total, [p for p in phrases if p in missing]


def extend_redaction(
    session: Session, concern_id: int, *, phrases: Sequence[str], user_id: int, now: datetime
) -> int:
    """Hide more of the redacted text; refuses if any phrase is not there. Returns replacements."""
    wanted = [p.strip() for p in phrases if p.strip()]
    if not wanted:
        raise TriageRefused("Enter the words or phrases to hide")
    with write_transaction(session):
        concern = _concern(session, concern_id)
        current = concern.text_redacted if concern.text_redacted is not None else concern.text
        redacted, replacements, missing = _hide(current, wanted)
        if missing:
            raise PhrasesNotFound(missing)
        concern.text_redacted = redacted
        audit.record_concern_change(
            session,
            concern.id,
            "redaction",
            user_id=user_id,
            now=now,
            # Never the phrases: the log must not hold what was just hidden.
            phrases=len(wanted),
            replacements=replacements,
        )
    return replacements


def merge_duplicate(
    session: Session, concern_id: int, *, duplicate_of_id: int, user_id: int, now: datetime
) -> Concern:
    """Mark a concern as a duplicate of another: both kept, only the other one counted."""
    if concern_id == duplicate_of_id:
        raise TriageRefused("A concern cannot be a duplicate of itself")
    with write_transaction(session):
        concern = _concern(session, concern_id)
        original = _concern(session, duplicate_of_id)
        if concern.duplicate_of_id is not None:
            raise TriageRefused("This concern is already merged as a duplicate: unmerge it first")
        if original.duplicate_of_id is not None:
            raise TriageRefused(
                f"{original.reference} is itself merged as a duplicate: choose the concern "
                "it was merged into"
            )
        if original.district != concern.district:
            raise TriageRefused("A concern can only duplicate one from the same district")
        merged_into_this = session.scalar(
            select(func.count()).select_from(Concern).where(Concern.duplicate_of_id == concern.id)
        )
        if merged_into_this:
            raise TriageRefused(
                "Other concerns are merged into this one: unmerge them first, or merge "
                "this one's duplicates into the other concern"
            )
        previous = concern.status
        concern.duplicate_of_id = original.id
        concern.status = "duplicate"
        mark_stale(session, concern.submitted_day, now)
        audit.record_concern_change(
            session,
            concern.id,
            "merged",
            user_id=user_id,
            now=now,
            duplicate_of=original.reference,
            from_status=previous,
        )
    return concern


def unmerge(session: Session, concern_id: int, *, user_id: int, now: datetime) -> Concern:
    """Count a merged concern again. It returns as handled if it was, otherwise triaged."""
    with write_transaction(session):
        concern = _concern(session, concern_id)
        if concern.duplicate_of_id is None:
            raise TriageRefused("This concern is not merged as a duplicate")
        original = session.get(Concern, concern.duplicate_of_id)
        concern.duplicate_of_id = None
        concern.status = "handled" if concern.handled_at is not None else "triaged"
        mark_stale(session, concern.submitted_day, now)
        audit.record_concern_change(
            session,
            concern.id,
            "unmerged",
            user_id=user_id,
            now=now,
            was_duplicate_of=original.reference if original else None,
            to_status=concern.status,
        )
    return concern


def scope_for(user: User) -> Scope:
    """A panel member reads their district (or neighbourhood) only; other roles read all."""
    if user.role == "panel":
        return Scope.limited_to(user.district_scope, user.neighbourhood_scope)
    return EVERYTHING


def start_export(
    session: Session,
    filters: ConcernFilters,
    *,
    user: User,
    options: ExportOptions,
    now: datetime,
) -> list[int]:
    """Fix the rows of an export and record it; the caller streams the rows by these ids.

    Asking for the original text or contact details is also recorded as a view of
    personal data, and refused to anyone but analysts and admins.
    """
    wants_personal = options.include_original or options.include_contact
    if wants_personal and user.role not in PERSONAL_DATA_ROLES:
        raise TriageRefused("Only analysts and admins may export original text or contact details")
    scope = scope_for(user)
    with write_transaction(session):
        ids = fetch_matching_ids(session, filters, scope)
        detail = {
            "filters": filters.as_dict(),
            "scope": None
            if scope.everything
            else {"district": scope.district, "neighbourhood": scope.neighbourhood},
            "rows": len(ids),
            "text": "original" if options.include_original else "redacted",
            "contact_details": options.include_contact,
        }
        audit.record(
            session, user_id=user.id, action="export", object_type="concern", detail=detail, now=now
        )
        if wants_personal:
            audit.record(
                session,
                user_id=user.id,
                action="view_personal_data",
                object_type="concern_export",
                detail={
                    "rows": len(ids),
                    "fields": [
                        name
                        for name, wanted in (
                            ("original_text", options.include_original),
                            ("contact_details", options.include_contact),
                        )
                        if wanted
                    ],
                },
                now=now,
            )
    return ids
