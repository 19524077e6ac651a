"""Recording what the classifier and the redactor made of a concern's text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

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


@dataclass(frozen=True)
class Enrichment:
    """What is derived from a concern's text, as plain values: ``fields`` are columns of
    ``concerns``, ``themes`` rows of ``concern_themes`` (without the concern's id)."""

    fields: dict[str, Any]
    themes: list[dict[str, Any]]


def classification_values(result: Classification, now: datetime) -> Enrichment:
    """A classification as the values stored for it: primary theme, secondary themes,
    flags. The one place that says how a classification is recorded."""
    fields = {
        "theme": result.theme,
        "theme_confidence": result.confidence,
        "model_version": result.model_version,
        "language": result.language,
        "needs_translation": result.needs_translation,
        "needs_review": result.needs_review,
        "classified_at": now,
    }
    themes: list[dict[str, Any]] = []
    if result.theme is not None:
        themes.append(
            {"theme": result.theme, "rank": 0, "confidence": result.confidence, "source": "model"}
        )
    for rank, (theme, confidence) in enumerate(result.secondary, start=1):
        if theme != result.theme:
            themes.append(
                {"theme": theme, "rank": rank, "confidence": confidence, "source": "model"}
            )
    return Enrichment(fields, themes)


def _apply(concern: Concern, enrichment: Enrichment) -> None:
    for name, value in enrichment.fields.items():
        setattr(concern, name, value)
    concern.themes = [ConcernTheme(**row) for row in enrichment.themes]


def apply_classification(concern: Concern, result: Classification, now: datetime) -> None:
    """Copy a classification onto a concern: primary theme, secondary themes, flags."""
    _apply(concern, classification_values(result, now))


class ConcernEnricher:
    """What is derived from a new concern's text before it is stored: the redacted copy
    always, the themes when a classifier is given.

    ``derive`` gives plain values, for the intake's own INSERT; calling the enricher on a
    ``Concern`` sets the same values on it, for services that store ORM objects.
    """

    def __init__(self, classifier: Classifies | None, redactor: Redacts) -> None:
        self.classifier = classifier
        self.redactor = redactor

    def derive(self, text: str) -> Enrichment:
        redacted = self.redactor.redact(text)
        if self.classifier is None:
            return Enrichment({"text_redacted": redacted}, [])
        values = classification_values(self.classifier.classify(text), datetime.now(UTC))
        values.fields["text_redacted"] = redacted
        return values

    def __call__(self, concern: Concern) -> None:
        enrichment = self.derive(concern.text)
        if self.classifier is None:
            concern.text_redacted = enrichment.fields["text_redacted"]
        else:
            _apply(concern, enrichment)


def enricher(classifier: Classifies | None, redactor: Redacts) -> ConcernEnricher:
    """What the intake services run on a new concern before storing it."""
    return ConcernEnricher(classifier, redactor)


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
                if concern.theme != before:
                    stale_days.add(concern.submitted_day)
                done += 1
            for day in sorted(stale_days):
                mark_stale(session, day, stamp)
        last_id = batch[-1][0]
