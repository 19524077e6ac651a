"""Features and the statistical model: TF-IDF over lemmas (optionally character n-grams)
plus the phrase-rule columns, into a calibrated linear classifier.

Everything stored in the artefact is a plain scikit-learn object (no custom classes and no
callables), so skops can load it with an explicit type allowlist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from joblib import parallel_config
from numpy.typing import NDArray
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from classifiers.preprocess import Processed

LEMMA_REGEX = r"\S+"  # the lemma string is already tokenised by spaCy


@dataclass(frozen=True)
class ModelOptions:
    """Choices measured by cross-validation (see classifiers/MEASUREMENTS.md)."""

    word_ngrams: tuple[int, int] = (1, 1)
    min_df: int = 1
    sublinear_tf: bool = True
    char_ngrams: tuple[int, int] | None = None
    classifier: str = "svc"  # "svc": LinearSVC + sigmoid calibration; "lr": logistic regression
    c: float = 1.0
    calibration_folds: int = 3
    rule_weight: float = 0.25
    secondary_weight: float = 0.0  # weight of extra rows teaching a concern's secondary themes

    def to_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelOptions:
        values = dict(data)
        for key in ("word_ngrams", "char_ngrams"):
            if values.get(key) is not None:
                values[key] = tuple(values[key])
        return cls(**values)


def rule_matrix(processed: Sequence[Processed], columns: int, weight: float) -> sp.csr_matrix:
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for row, item in enumerate(processed):
        for col, count in item.rule_hits.items():
            rows.append(row)
            cols.append(col)
            vals.append(weight * min(count, 3))
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(processed), columns), dtype=np.float64)


class ThemeModel:
    """The fitted vectorisers and classifier, and how to turn texts into probabilities."""

    def __init__(
        self,
        parts: dict[str, Any],
        options: ModelOptions,
        rule_columns: int,
    ) -> None:
        self.parts = parts
        self.options = options
        self.rule_columns = rule_columns
        self.labels: tuple[str, ...] = tuple(str(x) for x in parts["classifier"].classes_)

    def features(self, processed: Sequence[Processed]) -> sp.csr_matrix:
        lemmas = [item.lemmas for item in processed]
        blocks = [self.parts["words"].transform(lemmas)]
        if "chars" in self.parts:
            blocks.append(self.parts["chars"].transform(lemmas))
        blocks.append(rule_matrix(processed, self.rule_columns, self.options.rule_weight))
        return sp.hstack(blocks, format="csr")

    def predict_proba(self, processed: Sequence[Processed]) -> NDArray[np.float64]:
        """Probabilities over the themes (rows sum to 1): the primary theme's confidence."""
        return self.predict(processed)[0]

    def predict(
        self, processed: Sequence[Processed]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Normalised probabilities, and per-theme one-vs-rest probabilities.

        The second answers "is this theme present at all?" independently for each theme,
        which is what secondary themes need: normalised probabilities share one unit of
        mass, so a text with two clear themes would show neither as likely.
        """
        if not processed:
            empty = np.zeros((0, len(self.labels)))
            return empty, empty
        features = self.features(processed)
        classifier = self.parts["classifier"]
        if isinstance(classifier, CalibratedClassifierCV) and len(self.labels) > 2:
            calibrated = classifier.calibrated_classifiers_[0]
            decision = calibrated.estimator.decision_function(features)
            ovr = np.column_stack(
                [cal.predict(decision[:, i]) for i, cal in enumerate(calibrated.calibrators)]
            ).astype(np.float64)
            total = ovr.sum(axis=1, keepdims=True)
            uniform = np.full_like(ovr, 1.0 / ovr.shape[1])
            proba = np.divide(ovr, total, out=uniform, where=total > 0)
            return proba, ovr
        proba = np.asarray(classifier.predict_proba(features), dtype=np.float64)
        return proba, proba


def _vectorisers(options: ModelOptions) -> dict[str, TfidfVectorizer]:
    parts = {
        "words": TfidfVectorizer(
            token_pattern=LEMMA_REGEX,
            lowercase=False,
            ngram_range=options.word_ngrams,
            min_df=options.min_df,
            sublinear_tf=options.sublinear_tf,
            dtype=np.float64,
        )
    }
    if options.char_ngrams is not None:
        parts["chars"] = TfidfVectorizer(
            analyzer="char_wb",
            lowercase=False,
            ngram_range=options.char_ngrams,
            min_df=max(options.min_df, 2),
            sublinear_tf=options.sublinear_tf,
            dtype=np.float64,
        )
    return parts


def _classifier(options: ModelOptions, seed: int, labels: Sequence[str]) -> Any:
    if options.classifier == "lr":
        return LogisticRegression(C=options.c, max_iter=2000, random_state=seed)
    # The primal solver: same scores here, and no random coordinate order, so fits running in
    # parallel threads stay deterministic (liblinear's dual solver shares one global RNG).
    svc = LinearSVC(C=options.c, dual=False, random_state=seed)
    # Calibration needs every class in every fold: fall back to fewer folds on tiny data.
    smallest = min(labels.count(label) for label in set(labels))
    folds = max(2, min(options.calibration_folds, smallest))
    return CalibratedClassifierCV(svc, method="sigmoid", cv=folds, ensemble=False, n_jobs=2)


def fit_model(
    processed: Sequence[Processed],
    labels: Sequence[str],
    options: ModelOptions,
    rule_columns: int,
    seed: int,
    sample_weight: Sequence[float] | None = None,
) -> ThemeModel:
    """Fit vectorisers and classifier on already processed texts."""
    if len(set(labels)) < 2:
        raise ValueError("training needs at least two themes")
    parts: dict[str, Any] = dict(_vectorisers(options))
    lemmas = [item.lemmas for item in processed]
    blocks = [vectoriser.fit_transform(lemmas) for vectoriser in parts.values()]
    blocks.append(rule_matrix(processed, rule_columns, options.rule_weight))
    matrix = sp.hstack(blocks, format="csr")
    classifier = _classifier(options, seed, list(labels))
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    # Threads, not processes: liblinear releases the GIL, and nothing needs pickling.
    with parallel_config(backend="threading"):
        classifier.fit(matrix, np.asarray(labels), sample_weight=weights)
    parts["classifier"] = classifier
    return ThemeModel(parts, options, rule_columns)
