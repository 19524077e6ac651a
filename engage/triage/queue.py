"""What is waiting for an analyst: the triage queue's categories, their counts and items.

Only open concerns (status ``new`` or ``triaged``, not merged into another) are waiting.
Marking a concern handled, or merging it as a duplicate, takes it out of every category.
Concerns held as likely spam (status ``quarantined``) have a category of their own and
appear in no other, except that a held concern screened as urgent is also in "Urgent or
safeguarding": a real disclosure caught by the spam checks by mistake (autofill filling the
hidden field, say) must not wait in the spam tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from engage.models import Concern
from engage.repository.concern_search import ResultPage
from engage.triage.duplicates import find_duplicate_pairs

OPEN_STATUSES = ("new", "triaged")
# Duplicates are looked for among concerns of the last few weeks only: the queue is for
# what came in recently, and the scan stays small however long the service runs.
DUPLICATE_LOOKBACK_WEEKS = 8


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    description: str


CATEGORIES = (
    Category("urgent", "Urgent or safeguarding", "Screened as urgent and not yet handled."),
    Category("low-confidence", "Low confidence", "The classifier was unsure of the theme."),
    Category("translation", "Needs translation", "Not in English: read it before theming."),
    Category("unclassified", "Unclassified", "No theme yet: the classifier has not run."),
    Category(
        "duplicates",
        "Possible duplicates",
        "Near-identical text from the same district in the same week.",
    ),
    Category(
        "quarantined",
        "Held as likely spam",
        "Caught by the spam checks (a field hidden from people was filled in, or the form "
        "came back implausibly fast). Held concerns are left out of every count: read them, "
        "and check any marked urgent first.",
    ),
)
CATEGORY_KEYS = tuple(c.key for c in CATEGORIES)


def _open() -> list[ColumnElement[bool]]:
    return [Concern.status.in_(OPEN_STATUSES), Concern.duplicate_of_id.is_(None)]


_CONDITIONS: dict[str, ColumnElement[bool]] = {
    "urgent": Concern.urgency == "urgent",
    "low-confidence": Concern.needs_review.is_(True),
    "translation": Concern.needs_translation.is_(True),
    # Not yet seen by the classifier and not themed by a person either.
    "unclassified": and_(Concern.classified_at.is_(None), Concern.theme.is_(None)),
}


def _where(category: str) -> list[ColumnElement[bool]]:
    if category == "quarantined":
        return [Concern.status == "quarantined"]
    if category == "urgent":
        waiting = or_(and_(*_open()), Concern.status == "quarantined")
        return [_CONDITIONS[category], waiting]
    return [_CONDITIONS[category], *_open()]


def open_duplicate_ids(session: Session, today: date) -> list[int]:
    """Open concerns with at least one possible duplicate, by the rule in ``duplicates``."""
    since = today - timedelta(weeks=DUPLICATE_LOOKBACK_WEEKS)
    pairs = find_duplicate_pairs(session, since)
    involved = {concern_id for pair in pairs for concern_id in pair}
    if not involved:
        return []
    return list(
        session.scalars(
            select(Concern.id)
            .where(Concern.id.in_(involved), *_open())
            .order_by(Concern.submitted_at, Concern.id)
        )
    )


def count_queue(session: Session, today: date) -> dict[str, int]:
    counts = {
        key: int(session.scalar(select(func.count()).select_from(Concern).where(*_where(key))) or 0)
        for key in (*_CONDITIONS, "quarantined")
    }
    counts["duplicates"] = len(open_duplicate_ids(session, today))
    return counts


def fetch_queue_page(
    session: Session, category: str, today: date, *, page: int = 1, per_page: int = 25
) -> ResultPage:
    """One page of a category, oldest first (what has waited longest comes first)."""
    if category == "duplicates":
        ids = open_duplicate_ids(session, today)
        total = len(ids)
        page = max(1, min(page, max(1, ceil(total / per_page))))
        wanted = ids[(page - 1) * per_page : page * per_page]
        found = {
            c.id: c
            for c in session.scalars(
                select(Concern).where(Concern.id.in_(wanted)).options(selectinload(Concern.themes))
            )
        }
        return ResultPage([found[i] for i in wanted], total, page, per_page)
    where = _where(category)
    total = int(session.scalar(select(func.count()).select_from(Concern).where(*where)) or 0)
    page = max(1, min(page, max(1, ceil(total / per_page))))
    # Held concerns marked urgent come first: a person's disclosure caught by mistake.
    first = [Concern.urgency.desc()] if category == "quarantined" else []
    items = session.scalars(
        select(Concern)
        .where(*where)
        .options(selectinload(Concern.themes))
        .order_by(*first, Concern.submitted_at, Concern.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return ResultPage(items, total, page, per_page)
