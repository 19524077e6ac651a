"""Recording what the classifier and the redactor made of a concern's text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from engage.database import write_connection, write_transaction
from engage.models import Concern, ConcernTheme
from engage.repository.rollup_marks import mark_days_stale_on, mark_past_days_stale_on

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

    With ``later`` (classifying just after storing, in batches: see
    ``engage.classification_batches``), ``derive`` leaves the themes out and ``stored``
    hands the committed concern to ``later``. Services storing ORM objects (staff logging
    and imports, a few at a time) are classified inline either way.
    """

    def __init__(
        self,
        classifier: Classifies | None,
        redactor: Redacts,
        later: Callable[[int, str], None] | None = None,
    ) -> None:
        self.classifier = classifier
        self.redactor = redactor
        self.later = later

    def derive(self, text: str) -> Enrichment:
        if self.later is not None:
            return Enrichment({"text_redacted": self.redactor.redact(text)}, [])
        return self._inline(text)

    def stored(self, concern_id: int, text: str) -> None:
        """The concern is committed: queue it for classification if that comes later."""
        if self.later is not None:
            self.later(concern_id, text)

    def _inline(self, text: str) -> Enrichment:
        redacted = self.redactor.redact(text)
        if self.classifier is None:
            return Enrichment({"text_redacted": redacted}, [])
        values = classification_values(self.classifier.classify(text), datetime.now(UTC))
        values.fields["text_redacted"] = redacted
        return values

    def __call__(self, concern: Concern) -> None:
        enrichment = self._inline(concern.text)
        if self.classifier is None:
            concern.text_redacted = enrichment.fields["text_redacted"]
        else:
            _apply(concern, enrichment)


def enricher(
    classifier: Classifies | None,
    redactor: Redacts,
    later: Callable[[int, str], None] | None = None,
) -> ConcernEnricher:
    """What the intake services run on a new concern before storing it."""
    return ConcernEnricher(classifier, redactor, later)


def record_classifications(
    session: Session, results: Sequence[tuple[int, Classification]], now: datetime
) -> int:
    """Store the classifications of concerns stored unclassified, in one transaction; the
    number recorded. Used by the batches classified just after intake
    (``engage.classification_batches``)."""
    with write_connection(session) as connection:
        return _record(connection, results, now)


def _record(
    connection: Connection,
    results: Sequence[tuple[int, Classification]],
    now: datetime,
    *,
    mark_today: bool = False,
) -> int:
    """Record each classification on its concern if that concern is still unclassified.

    A concern classified meanwhile (by another run), or given a theme by staff before the
    model saw it, is left as it is. A theme given to a concern of a day before today marks
    that day for the next rollup run. Today is recounted by tomorrow's nightly run in any
    case; ``classify-pending`` (rare, run by hand or after an outage) marks it too, for a
    rollup of today run by hand meanwhile, while the batches just after intake (every
    second or so under load) do not, or marks would pile up by the thousand a day.
    """
    wanted = [concern_id for concern_id, _ in results]
    if not wanted:
        return 0
    open_days = dict(
        connection.execute(
            select(Concern.id, Concern.submitted_day)
            .where(
                Concern.id.in_(wanted),
                Concern.classified_at.is_(None),
                Concern.theme.is_(None),
            )
            .with_for_update()
        ).all()
    )
    updates: list[dict[str, Any]] = []
    theme_rows: list[dict[str, Any]] = []
    days: set[date] = set()
    for concern_id, result in results:
        day = open_days.get(concern_id)
        if day is None:
            continue
        values = classification_values(result, now)
        updates.append({"concern": concern_id, **values.fields})
        theme_rows.extend({"concern_id": concern_id, **row} for row in values.themes)
        if result.theme is not None:
            days.add(day)
    if not updates:
        return 0
    columns = [name for name in updates[0] if name != "concern"]
    connection.execute(
        update(Concern)
        .where(Concern.id == bindparam("concern"))
        .values({name: bindparam(name) for name in columns}),
        updates,
    )
    if theme_rows:
        connection.execute(insert(ConcernTheme), theme_rows)
    if mark_today:
        mark_days_stale_on(connection, days, now)
    else:
        mark_past_days_stale_on(connection, days, now)
    return len(updates)


def classify_pending(
    session: Session,
    classifier: Classifies,
    redactor: Redacts,
    *,
    batch_size: int = 500,
    now: datetime | None = None,
) -> int:
    """Classify every concern stored without a theme (the model was down when it came in,
    or its process stopped before its batch was classified).

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
        ids = [concern_id for concern_id, _ in batch]
        with write_transaction(session):
            connection = session.connection()
            _fill_redactions(connection, ids, redactor)
            done += _record(
                connection, list(zip(ids, results, strict=True)), stamp, mark_today=True
            )
        last_id = batch[-1][0]


def _fill_redactions(connection: Connection, ids: Sequence[int], redactor: Redacts) -> None:
    missing = connection.execute(
        select(Concern.id, Concern.text).where(Concern.id.in_(ids), Concern.text_redacted.is_(None))
    ).all()
    if missing:
        connection.execute(
            update(Concern)
            .where(Concern.id == bindparam("concern"))
            .values(text_redacted=bindparam("redacted")),
            [
                {"concern": concern_id, "redacted": redactor.redact(text)}
                for concern_id, text in missing
            ],
        )
