"""Staff corrections to a concern's themes: stored as a label that retraining learns from.

A label keeps who decided, when, and the model's guess it replaced; the concern and its
theme rows take the person's verdict, and the change is audited in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.errors import ConcernNotFound
from engage.models import Concern, ConcernTheme, ThemeLabel
from engage.repository.rollup_marks import mark_stale
from engage.services import audit

STAFF_SOURCE = "staff"
STAFF_CONFIDENCE = 1.0


def correct_themes(
    session: Session,
    concern_id: int,
    theme: str,
    secondary: Sequence[str] | None,
    user_id: int,
    now: datetime,
) -> ThemeLabel:
    """Set a concern's primary theme (and secondary themes) as a person decided them.

    ``secondary`` of None keeps the concern's current secondary themes; an empty sequence
    clears them. Themes are theme ids the caller has already checked against the taxonomy.
    """
    with write_transaction(session):
        concern = session.get(Concern, concern_id, with_for_update=True)
        if concern is None:
            raise ConcernNotFound(f"No concern has the id {concern_id}")
        current_secondary = [t.theme for t in concern.themes if t.rank > 0]
        wanted_secondary = _secondary(theme, current_secondary if secondary is None else secondary)
        previous = _model_guess(session, concern)
        label = ThemeLabel(
            concern_id=concern.id,
            theme=theme,
            secondary_themes=wanted_secondary,
            previous_theme=previous[0],
            previous_confidence=previous[1],
            previous_model_version=previous[2],
            labelled_by=user_id,
            labelled_at=now,
        )
        session.add(label)
        from_theme = concern.theme
        concern.theme = theme
        if from_theme != theme:
            mark_stale(session, concern.submitted_day, now)
        concern.theme_confidence = STAFF_CONFIDENCE
        concern.needs_review = False
        _replace_theme_rows(concern, [theme, *wanted_secondary])
        session.flush()
        audit.record(
            session,
            user_id=user_id,
            action="update",
            object_type="concern",
            object_id=concern.id,
            detail={
                "change": "theme",
                "from": from_theme,
                "to": theme,
                "secondary": wanted_secondary,
                "label_id": label.id,
            },
            now=now,
        )
    return label


def _secondary(primary: str, themes: Sequence[str]) -> list[str]:
    """Secondary themes in the order given, without repeats or the primary theme."""
    seen: list[str] = []
    for theme in themes:
        if theme != primary and theme not in seen:
            seen.append(theme)
    return seen


def _model_guess(session: Session, concern: Concern) -> tuple[str | None, float | None, str | None]:
    """The model's guess before any person changed it: the first label remembers it."""
    first = session.scalars(
        select(ThemeLabel)
        .where(ThemeLabel.concern_id == concern.id)
        .order_by(ThemeLabel.labelled_at, ThemeLabel.id)
        .limit(1)
    ).one_or_none()
    if first is not None:
        return first.previous_theme, first.previous_confidence, first.previous_model_version
    return concern.theme, concern.theme_confidence, concern.model_version


def _replace_theme_rows(concern: Concern, themes: list[str]) -> None:
    """Update rows in place: a theme row's key is (concern, theme), so reuse before adding."""
    existing = {row.theme: row for row in concern.themes}
    rows: list[ConcernTheme] = []
    for rank, theme in enumerate(themes):
        row = existing.get(theme) or ConcernTheme(theme=theme)
        row.rank = rank
        row.confidence = STAFF_CONFIDENCE
        row.source = STAFF_SOURCE
        rows.append(row)
    concern.themes = rows
