"""The classifier and redactor as the web app uses them: loaded once per process, lazily.

If the model cannot load, concerns are still taken in (unclassified, redacted) and
``engage classify-pending`` classifies them later; the loader retries after a pause.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app

from engage.services.classification import ConcernEnricher, enricher

if TYPE_CHECKING:
    from classifiers.redaction import Redactor
    from classifiers.service import ThemeClassifier

log = logging.getLogger(__name__)
_RETRY_AFTER_SECONDS = 60.0


class ClassifierLoader:
    """Holds one ThemeClassifier per process; thread-safe, never loads at import time."""

    def __init__(self, model_dir: Path, ner_model: str | None) -> None:
        self.model_dir = model_dir
        self.ner_model = ner_model
        self._lock = threading.Lock()
        self._classifier: ThemeClassifier | None = None
        self._redactor: Redactor | None = None
        self._failed_at: float | None = None

    def classifier(self) -> ThemeClassifier | None:
        if self._classifier is not None:
            return self._classifier
        if (
            self._failed_at is not None
            and time.monotonic() - self._failed_at < _RETRY_AFTER_SECONDS
        ):
            return None
        with self._lock:
            if self._classifier is None:
                # spaCy and scikit-learn load here, on first use, never at import time.
                from classifiers.service import ModelUnavailable, ThemeClassifier

                try:
                    self._classifier = ThemeClassifier.load(self.model_dir)
                    self._failed_at = None
                except ModelUnavailable as error:
                    log.warning("Theme model unavailable, concerns stay unclassified: %s", error)
                    self._failed_at = time.monotonic()
        return self._classifier

    def redactor(self) -> Redactor:
        if self._redactor is None:
            with self._lock:
                if self._redactor is None:
                    from classifiers.redaction import Redactor

                    self._redactor = Redactor(self.ner_model)
        return self._redactor


def register_classification(app: Flask) -> None:
    app.extensions["engage.classifier"] = ClassifierLoader(
        Path(app.config["ENGAGE_MODEL_DIR"]), app.config.get("ENGAGE_NER_MODEL") or None
    )


def loader() -> ClassifierLoader:
    held: ClassifierLoader = current_app.extensions["engage.classifier"]
    return held


def concern_enricher() -> ConcernEnricher:
    """Redact always; classify inline when the settings ask for it and a model is there."""
    held = loader()
    classifier = held.classifier() if current_app.config["ENGAGE_CLASSIFY_INLINE"] else None
    return enricher(classifier, held.redactor())
