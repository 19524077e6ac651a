"""The facade the web service calls: load a trained model once, then classify concerns
one at a time (inline on a request) or in batches.

    clf = ThemeClassifier.load(model_dir)        # raises ModelUnavailable
    clf.classify("Boy racers on the A47 every night")
    clf.classify_many(texts)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from classifiers.artefact import Artefact, load_artefact
from classifiers.compiled import CompiledModel
from classifiers.errors import ModelUnavailable, UntrustedArtefact
from classifiers.language import LanguageDetectorService, LanguageGuess
from classifiers.preprocess import Processed, TextProcessor
from classifiers.settings import ClassifierSettings

__all__ = ["Classification", "ModelUnavailable", "ThemeClassifier"]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold Python's cycle collector off for one batch. A batch keeps thousands of small
    objects alive (spaCy docs a chunk at a time, the processed texts, the results), and
    every collection walks them all: measured on 20,000 concerns, a third of the batch's
    time. Nothing here makes reference cycles, so memory is freed as usual by reference
    counting; the collector runs again as soon as the batch is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class Classification:
    theme: str | None
    confidence: float
    secondary: tuple[tuple[str, float], ...]
    needs_review: bool
    language: str
    needs_translation: bool
    model_version: str


class ThemeClassifier:
    """A loaded model with its spaCy pipeline, rules and language detector, built once."""

    def __init__(self, artefact: Artefact, settings: ClassifierSettings) -> None:
        self.artefact = artefact
        self.settings = settings
        self.model = CompiledModel(artefact.model)
        self.version = artefact.version
        vocabulary = artefact.model.parts["words"].vocabulary_
        self.processor = TextProcessor(
            artefact.metadata["rule_themes"],
            extra_english=(term for term in vocabulary if " " not in term),
        )
        self.detector = LanguageDetectorService(settings.languages)

    @classmethod
    def load(cls, model_dir: Path, settings: ClassifierSettings | None = None) -> ThemeClassifier:
        """Load the model ``model_dir`` designates (its ``current`` version, or a version
        folder). With ``settings``, ``model_dir`` must lie inside ``settings.model_dir``;
        without, settings come from config/classifier.yaml and ``model_dir`` is trusted as
        the caller's configured model directory."""
        if settings is None:
            settings = ClassifierSettings.from_yaml()
            root = model_dir
        else:
            root = settings.model_dir
            if not model_dir.resolve().is_relative_to(root.resolve()):
                raise UntrustedArtefact(
                    f"refusing {model_dir}: outside the configured model directory {root}"
                )
        artefact = load_artefact(model_dir, trusted_root=root)
        return cls(artefact, settings)

    def classify(self, text: str) -> Classification:
        processed = self.processor.process_one(text)
        guess = self.detector.detect(text, processed)
        if not guess.is_english:
            return self._unclassified(guess)
        proba, ovr = self.model.predict([processed])
        return self._from_proba(proba[0], ovr[0], guess)

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        with _collector_paused():
            return self._classify_many(list(texts))

    def _classify_many(self, texts: list[str]) -> list[Classification]:
        processed = self.processor.process(texts)
        guesses = self.detector.detect_many(texts, processed)
        english = [i for i, guess in enumerate(guesses) if guess.is_english]
        if len(english) == len(texts):  # the usual batch: no result to build twice
            proba, ovr = self.model.predict(processed)
            return self._from_matrix(proba, ovr)
        results: list[Classification] = [self._unclassified(guess) for guess in guesses]
        if english:
            proba, ovr = self.model.predict([processed[i] for i in english])
            for i, result in zip(english, self._from_matrix(proba, ovr), strict=True):
                results[i] = result
        return results

    def process(self, texts: Sequence[str]) -> list[Processed]:
        return self.processor.process(texts)

    def _unclassified(self, guess: LanguageGuess) -> Classification:
        return Classification(
            theme=None,
            confidence=0.0,
            secondary=(),
            needs_review=True,
            language=guess.code,
            needs_translation=guess.needs_translation,
            model_version=self.version,
        )

    def _from_proba(
        self, proba: NDArray[np.float64], ovr: NDArray[np.float64], guess: LanguageGuess
    ) -> Classification:
        del guess  # only English texts reach the model
        return self._from_matrix(proba[np.newaxis, :], ovr[np.newaxis, :])[0]

    def _from_matrix(
        self, proba: NDArray[np.float64], ovr: NDArray[np.float64]
    ) -> list[Classification]:
        """Primary theme and its confidence from the normalised probabilities; secondary
        themes from the one-vs-rest ones (see ThemeModel.predict), for a batch at once."""
        rows = np.arange(proba.shape[0])
        top = proba.argmax(axis=1)
        confidence = proba[rows, top].round(4)
        others = ovr.copy()
        others[rows, top] = -1.0
        count = min(self.settings.max_secondary, max(others.shape[1] - 1, 0))
        order = np.argsort(-others, axis=1, kind="stable")[:, :count]
        scores = np.take_along_axis(others, order, axis=1).round(4)
        threshold = self.settings.secondary_threshold
        review = self.settings.confidence_threshold
        labels = self.model.labels
        return [
            Classification(
                theme=labels[t],
                confidence=float(c),
                secondary=tuple(
                    (labels[i], float(v)) for i, v in zip(o, sc, strict=True) if v >= threshold
                ),
                needs_review=bool(c < review),
                language="en",
                needs_translation=False,
                model_version=self.version,
            )
            for t, c, o, sc in zip(top.tolist(), confidence, order.tolist(), scores, strict=True)
        ]
