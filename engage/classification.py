"""The classifier and redactor as the web app uses them: loaded once per process, before
its first request under gunicorn (``warm_up``), otherwise on first use.

If the model cannot load, concerns are still taken in (unclassified, redacted) and
``engage classify-pending`` classifies them later; the loader retries after a pause. A
model promoted by retraining is picked up by running processes (``ClassifierLoader``).
With ``ENGAGE_CLASSIFY_BATCH_SECONDS`` above 0, new concerns are classified just after they
are stored, in batches (``engage.classification_batches``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy.orm import Session

from engage.classification_batches import ClassificationBatcher, Queued
from engage.services.classification import ConcernEnricher, enricher, record_classifications

if TYPE_CHECKING:
    from classifiers.redaction import Redactor
    from classifiers.service import Classification, ThemeClassifier

log = logging.getLogger(__name__)
_RETRY_AFTER_SECONDS = 60.0
_CHECK_EVERY_SECONDS = 30.0
_BATCHES = "engage.classification_batches"
_LOADER = "engage.classifier"


class ClassifierLoader:
    """Holds one ThemeClassifier per process; thread-safe, never loads at import time.

    A model promoted while the process runs (retraining rewrites ``current``) reaches it
    without a restart. At most every ``check_every`` seconds one request reads the pointer;
    when it names another version, that version loads in a background thread while requests
    go on with the model in use, and replaces it once loaded. A version that fails to load
    is logged and not tried again until the pointer changes; the model in use stays.
    """

    def __init__(
        self,
        model_dir: Path,
        ner_model: str | None,
        *,
        check_every: float = _CHECK_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.model_dir = model_dir
        self.ner_model = ner_model
        self.check_every = check_every
        self._clock = clock
        self._lock = threading.Lock()
        self._classifier: ThemeClassifier | None = None
        self._redactor: Redactor | None = None
        self._failed_at: float | None = None
        self._checked_at = 0.0
        self._refused: str | None = None
        self._reloading: threading.Thread | None = None

    def classifier(self) -> ThemeClassifier | None:
        loaded = self._classifier
        if loaded is not None:
            if self._clock() - self._checked_at >= self.check_every:
                self._look_for_promotion(loaded)
            return self._classifier
        if self._failed_at is not None and self._clock() - self._failed_at < _RETRY_AFTER_SECONDS:
            return None
        with self._lock:
            if self._classifier is None:
                # spaCy and scikit-learn load here, on first use, never at import time.
                from classifiers.service import ModelUnavailable, ThemeClassifier

                try:
                    self._classifier = ThemeClassifier.load(self.model_dir)
                    self._failed_at = None
                    self._checked_at = self._clock()
                except ModelUnavailable as error:
                    log.warning("Theme model unavailable, concerns stay unclassified: %s", error)
                    self._failed_at = self._clock()
        return self._classifier

    def wait_for_reload(self, timeout: float | None = None) -> None:
        """Block until a promoted model being loaded has replaced the one in use (or failed)."""
        reloading = self._reloading
        if reloading is not None:
            reloading.join(timeout)

    def _look_for_promotion(self, loaded: ThemeClassifier) -> None:
        from classifiers.artefact import pointed_version

        with self._lock:
            now = self._clock()
            if now - self._checked_at < self.check_every or self._reloading is not None:
                return
            self._checked_at = now
            pointed = pointed_version(self.model_dir)
            if pointed is None or pointed in (loaded.version, self._refused):
                return
            self._reloading = threading.Thread(
                target=self._reload, args=(pointed, loaded.version), daemon=True
            )
            self._reloading.start()

    def _reload(self, pointed: str, previous: str) -> None:
        from classifiers.service import ThemeClassifier

        try:
            replacement = ThemeClassifier.load(self.model_dir)
        except Exception as error:  # a refused or broken artefact must never stop intake
            log.warning(
                "Promoted theme model %s did not load; still classifying with %s: %s",
                pointed,
                previous,
                error,
            )
            with self._lock:
                self._refused = pointed
                self._reloading = None
            return
        with self._lock:
            self._classifier = replacement
            self._refused = None
            self._reloading = None
        log.info("Now classifying with theme model %s (was %s)", replacement.version, previous)

    def redactor(self) -> Redactor:
        if self._redactor is None:
            with self._lock:
                if self._redactor is None:
                    from classifiers.redaction import Redactor

                    self._redactor = Redactor(self.ner_model)
        return self._redactor


def register_classification(app: Flask) -> None:
    held = ClassifierLoader(
        Path(app.config["ENGAGE_MODEL_DIR"]),
        app.config.get("ENGAGE_NER_MODEL") or None,
        check_every=float(app.config["ENGAGE_MODEL_CHECK_SECONDS"]),
    )
    app.extensions[_LOADER] = held
    linger = float(app.config["ENGAGE_CLASSIFY_BATCH_SECONDS"])
    if linger > 0:
        app.extensions[_BATCHES] = ClassificationBatcher(
            partial(_classify_many, held), partial(_record, app), linger=linger
        )


def _classify_many(held: ClassifierLoader, texts: Sequence[str]) -> list[Classification] | None:
    classifier = held.classifier()
    return None if classifier is None else classifier.classify_many(texts)


def _record(app: Flask, batch: Sequence[Queued], results: list[Classification]) -> None:
    from engage.extensions import db

    with app.app_context(), Session(db.engine) as session:
        record_classifications(
            session,
            [(item.concern_id, result) for item, result in zip(batch, results, strict=True)],
            datetime.now(UTC),
        )


def warm_up(app: Flask) -> None:
    """Load what a submission needs before the first one arrives, so that no resident's
    answer waits seconds for spaCy and the theme model: each server worker calls this
    before it serves (``engage.server``). The classifier loads only when concerns are
    classified; a missing model is logged and retried later, as on first use."""
    held = loader(app)
    held.redactor()
    if app.config["ENGAGE_CLASSIFY_INLINE"]:
        held.classifier()


def batches() -> ClassificationBatcher | None:
    """This app's batcher, when concerns are classified just after they are stored."""
    found: ClassificationBatcher | None = current_app.extensions.get(_BATCHES)
    return found


def loader(app: Flask | None = None) -> ClassifierLoader:
    """The app's loader: ``app``'s, or else the current app's."""
    held: ClassifierLoader = (app or current_app).extensions[_LOADER]
    return held


def concern_enricher() -> ConcernEnricher:
    """Redact always; classify when the settings ask for it and a model is there: within
    the request, or just after the concern is stored when batches are on."""
    held = loader()
    if not current_app.config["ENGAGE_CLASSIFY_INLINE"]:
        return enricher(None, held.redactor())
    later = batches()
    return enricher(held.classifier(), held.redactor(), later.submit if later else None)
