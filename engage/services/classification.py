"""Recording what the classifier and the redactor made of a concern's text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import Concern, ConcernTheme
from engage.repository.rollup_marks import mark_stale

if TYPE_CHECKING:
    from classifiers.service import Classification


class Classifies(Protocol):
    def classify(self, text: str) -> Classification: ...
    def classify_many(self, texts: Sequence[str]) -> list[Classification]: ...


class Redacts(Protocol):
    def redact(self, text: str) -> str: ...


def apply_classification(concern: Concern, result: Classification, now: datetime) -> None:
    """Copy a classification onto a concern: primary theme, secondary themes, flags."""
    concern.theme = result.theme
    concern.theme_confidence = result.confidence
    concern.model_version = result.model_version
    concern.language = result.language
    concern.needs_translation = result.needs_translation
    concern.needs_review = result.needs_review
    concern.classified_at = now
    concern.themes = []
    if result.theme is not None:
        concern.themes.append(
            ConcernTheme(theme=result.theme, rank=0, confidence=result.confidence)
        )
    for rank, (theme, confidence) in enumerate(result.secondary, start=1):
        if theme != result.theme:
            concern.themes.append(ConcernTheme(theme=theme, rank=rank, confidence=confidence))


def enricher(classifier: Classifies | None, redactor: Redacts) -> Callable[[Concern], None]:
    """What the intake service runs on a new concern before storing it."""

    def enrich(concern: Concern) -> None:
        concern.text_redacted = redactor.redact(concern.text)
        if classifier is not None:
            apply_classification(concern, classifier.classify(concern.text), datetime.now(UTC))

    return enrich


def classify_pending(
    session: Session,
    classifier: Classifies,
    redactor: Redacts,
    *,
    batch_size: int = 500,
    now: datetime | None = None,
) -> int:
    """Classify every concern stored without a theme (the model was down when it came in).

    Works in batches, each its own transaction, so an interrupted run keeps what it did.
    """
    done = 0
    last_id = 0
    while True:
        batch = session.execute(
            select(Concern.id, Concern.text)
            .where(Concern.classified_at.is_(None), Concern.id > last_id)
            .order_by(Concern.id)
            .limit(batch_size)
        ).all()
        session.rollback()
        if not batch:
            return done
        results = classifier.classify_many([text for _, text in batch])
        stamp = now or datetime.now(UTC)
        with write_transaction(session):
            stale_days: set[date] = set()
            for (concern_id, _), result in zip(batch, results, strict=True):
                concern = session.get(Concern, concern_id)
                if concern is None or concern.classified_at is not None:
                    continue
                if concern.text_redacted is None:
                    concern.text_redacted = redactor.redact(concern.text)
                before = concern.theme
                apply_classification(concern, result, stamp)
                if concern.theme != before and concern.submitted_day not in stale_days:
                    stale_days.add(concern.submitted_day)
                    mark_stale(session, concern.submitted_at, stamp)
                done += 1
        last_id = batch[-1][0]
