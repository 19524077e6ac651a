"""Finding concerns by what staff filter on: the one query behind search, export and panels.

A scope (a panel member's district or neighbourhood) is applied on top of the filters, so
no filter a person types can widen what they may read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from math import ceil
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from engage.london_time import london_midnight_utc
from engage.models import Concern, ConcernTheme

_LIKE_ESCAPE = "\\"


@dataclass(frozen=True)
class Scope:
    """What a person may read at most. ``None`` everywhere means every concern."""

    district: str | None = None
    neighbourhood: str | None = None
    everything: bool = True

    @classmethod
    def limited_to(cls, district: str | None, neighbourhood: str | None = None) -> Scope:
        return cls(district=district, neighbourhood=neighbourhood, everything=False)


EVERYTHING = Scope()


@dataclass(frozen=True)
class ConcernFilters:
    district: str | None = None
    neighbourhood: str | None = None
    theme: str | None = None
    channel: str | None = None
    status: str | None = None
    urgency: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    contains: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The filters in use, as text (for audit events and links)."""
        return {
            name: value.isoformat() if isinstance(value, date) else str(value)
            for name, value in self.__dict__.items()
            if value not in (None, "")
        }


@dataclass(frozen=True)
class ResultPage:
    items: Sequence[Concern]
    total: int
    page: int
    per_page: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def escape_like(text: str) -> str:
    return (
        text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
        .replace("%", _LIKE_ESCAPE + "%")
        .replace("_", _LIKE_ESCAPE + "_")
    )


def _conditions(filters: ConcernFilters, scope: Scope) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if not scope.everything:
        if scope.district is None:
            # A limited scope without a district lets nothing through, never everything.
            return [false()]
        where.append(Concern.district == scope.district)
        if scope.neighbourhood is not None:
            where.append(Concern.neighbourhood == scope.neighbourhood)
    if filters.district:
        where.append(Concern.district == filters.district)
    if filters.neighbourhood:
        where.append(Concern.neighbourhood == filters.neighbourhood)
    if filters.theme:
        # Primary or secondary: a concern tagged with the theme at any rank.
        tagged = exists().where(
            ConcernTheme.concern_id == Concern.id, ConcernTheme.theme == filters.theme
        )
        where.append(or_(Concern.theme == filters.theme, tagged))
    if filters.channel:
        where.append(Concern.channel == filters.channel)
    if filters.status:
        where.append(Concern.status == filters.status)
    if filters.urgency:
        where.append(Concern.urgency == filters.urgency)
    if filters.submitted_from:
        where.append(Concern.submitted_at >= london_midnight_utc(filters.submitted_from))
    if filters.submitted_to:
        # Inclusive of the whole "to" day in London time.
        where.append(
            Concern.submitted_at < london_midnight_utc(filters.submitted_to + timedelta(days=1))
        )
    if filters.contains:
        pattern = f"%{escape_like(filters.contains.lower())}%"
        where.append(func.lower(Concern.text_redacted).like(pattern, escape=_LIKE_ESCAPE))
    return where


def search_statement(filters: ConcernFilters, scope: Scope = EVERYTHING) -> Select[Concern]:
    """Concerns matching the filters within the scope, newest first."""
    return (
        select(Concern)
        .where(*_conditions(filters, scope))
        .order_by(Concern.submitted_at.desc(), Concern.id.desc())
    )


def count_concerns(session: Session, filters: ConcernFilters, scope: Scope = EVERYTHING) -> int:
    statement = select(func.count()).select_from(Concern)
    statement = statement.where(*_conditions(filters, scope))
    return int(session.scalar(statement) or 0)


def fetch_concern_page(
    session: Session,
    filters: ConcernFilters,
    scope: Scope = EVERYTHING,
    *,
    page: int = 1,
    per_page: int = 25,
) -> ResultPage:
    total = count_concerns(session, filters, scope)
    page = max(1, min(page, max(1, ceil(total / per_page))))
    items = session.scalars(
        search_statement(filters, scope)
        .options(selectinload(Concern.themes))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return ResultPage(items=items, total=total, page=page, per_page=per_page)


def fetch_matching_ids(
    session: Session, filters: ConcernFilters, scope: Scope = EVERYTHING
) -> list[int]:
    """The ids of every match, newest first: an export is fixed to these before it streams."""
    statement = search_statement(filters, scope).with_only_columns(Concern.id)
    return list(session.scalars(statement))


def iter_concerns_by_id(
    session: Session, ids: Sequence[int], *, batch_size: int = 500, with_contact: bool = False
) -> Iterator[Concern]:
    """The concerns with these ids, in the order given, loaded a batch at a time."""
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        options = [selectinload(Concern.themes)]
        if with_contact:
            options.append(selectinload(Concern.contact))
        found = {
            concern.id: concern
            for concern in session.scalars(
                select(Concern).where(Concern.id.in_(chunk)).options(*options)
            )
        }
        for concern_id in chunk:
            if concern_id in found:
                yield found[concern_id]
        session.expunge_all()
