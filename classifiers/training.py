"""Training: corpus (plus optional extra labelled examples, e.g. staff corrections) to a
versioned artefact, with cross-validated scores recorded in its metadata.

Deterministic for a given seed and data: folds, the model's own randomness and the order of
examples all follow from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import StratifiedKFold
from tqdm import tqdm

from classifiers.artefact import library_versions, save_artefact
from classifiers.corpus import Example, data_hash, load_corpus
from classifiers.errors import CorpusError
from classifiers.evaluation import score
from classifiers.model import ModelOptions, ThemeModel, fit_model
from classifiers.preprocess import Processed, TextProcessor
from classifiers.settings import CORPUS_DIR, ClassifierSettings, theme_ids

DEFAULT_SEED = 1234
CV_FOLDS = 5


@dataclass(frozen=True)
class CrossValidation:
    scores: dict[str, Any]
    proba: np.ndarray[Any, Any]  # out-of-fold normalised probabilities
    ovr: np.ndarray[Any, Any]  # out-of-fold one-vs-rest probabilities
    labels: list[str]


@dataclass(frozen=True)
class TrainResult:
    path: Path
    metadata: dict[str, Any]


def _rows(
    processed: Sequence[Processed], examples: Sequence[Example], options: ModelOptions
) -> tuple[list[Processed], list[str], list[float]]:
    """Training rows: one per example for its primary theme, plus (when
    ``secondary_weight`` > 0) a down-weighted copy per secondary theme."""
    rows = list(processed)
    labels = [e.theme for e in examples]
    weights = [1.0] * len(rows)
    if options.secondary_weight > 0:
        for item, example in zip(processed, examples, strict=True):
            for theme in example.secondary:
                rows.append(item)
                labels.append(theme)
                weights.append(options.secondary_weight)
    return rows, labels, weights


def fit_examples(
    processed: Sequence[Processed],
    examples: Sequence[Example],
    options: ModelOptions,
    rule_columns: int,
    seed: int,
) -> ThemeModel:
    rows, labels, weights = _rows(processed, examples, options)
    return fit_model(rows, labels, options, rule_columns, seed, sample_weight=weights)


def cross_validate(
    processed: Sequence[Processed],
    examples: Sequence[Example],
    options: ModelOptions,
    rule_columns: int,
    seed: int,
    folds: int = CV_FOLDS,
    on_fold: Callable[[], None] | None = None,
    n_jobs: int = 2,
) -> CrossValidation:
    """Stratified k-fold scores, and the out-of-fold probabilities (for threshold choice)."""
    gold = np.array([e.theme for e in examples])
    _, counts = np.unique(gold, return_counts=True)
    folds = max(2, min(folds, int(counts.min())))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    labels: list[str] = sorted(
        {e.theme for e in examples} | {s for e in examples for s in e.secondary}
    )
    proba = np.zeros((len(examples), len(labels)))
    ovr = np.zeros((len(examples), len(labels)))

    def run_fold(train_idx: np.ndarray[Any, Any], test_idx: np.ndarray[Any, Any]) -> None:
        model = fit_examples(
            [processed[i] for i in train_idx],
            [examples[i] for i in train_idx],
            options,
            rule_columns,
            seed,
        )
        fold_proba, fold_ovr = model.predict([processed[i] for i in test_idx])
        where = np.ix_(test_idx, np.asarray([labels.index(label) for label in model.labels]))
        proba[where] = fold_proba
        ovr[where] = fold_ovr
        if on_fold is not None:
            on_fold()

    # Threads suffice: liblinear releases the GIL while it fits, and folds share the data.
    Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(run_fold)(train_idx, test_idx)
        for train_idx, test_idx in splitter.split(np.zeros(len(gold)), gold)
    )
    predicted = [labels[i] for i in proba.argmax(axis=1)]
    scores = score(gold.tolist(), predicted, proba.max(axis=1).tolist())
    scores["folds"] = folds
    return CrossValidation(scores, proba, ovr, labels)


MIN_EXAMPLES = 3  # per theme: the calibration needs each theme in each of its folds


def _check_counts(data: Sequence[Example]) -> None:
    counts: dict[str, int] = {}
    for example in data:
        counts[example.theme] = counts.get(example.theme, 0) + 1
    scarce = sorted(theme for theme, count in counts.items() if count < MIN_EXAMPLES)
    if scarce:
        raise CorpusError(
            f"too few examples to train: {', '.join(scarce)} ha{'s' if len(scarce) == 1 else 've'}"
            f" fewer than {MIN_EXAMPLES}; add examples or remove the theme's rows"
        )


def train(
    corpus_dir: Path = CORPUS_DIR,
    out_dir: Path | None = None,
    seed: int = DEFAULT_SEED,
    extra_examples: Iterable[Example] = (),
    settings: ClassifierSettings | None = None,
    options: ModelOptions | None = None,
    examples: Sequence[Example] | None = None,
    cv_folds: int = CV_FOLDS,
    progress: bool = False,
) -> TrainResult:
    """Train on every CSV in ``corpus_dir`` (or on ``examples``) plus ``extra_examples``,
    cross-validate, fit on everything and write the artefact into ``out_dir``."""
    settings = settings or ClassifierSettings.from_yaml()
    options = options or ModelOptions(rule_weight=settings.rule_weight)
    themes = theme_ids()
    data = list(examples) if examples is not None else load_corpus(corpus_dir, themes)
    data.extend(extra_examples)
    data = [data[i] for i in np.random.default_rng(seed).permutation(len(data))]
    _check_counts(data)
    out_dir = out_dir or settings.model_dir

    processor = TextProcessor(themes)
    texts = [e.text for e in data]
    processed = list(
        tqdm(
            processor.iter_process(texts),
            total=len(texts),
            desc="lemmatising",
            unit="text",
            disable=not progress,
        )
    )
    cv_scores: dict[str, Any] = {}
    if cv_folds > 1:
        bar = tqdm(total=cv_folds, desc="cross-validating", unit="fold", disable=not progress)
        with bar:
            cv_scores = cross_validate(
                processed, data, options, len(themes), seed, cv_folds, on_fold=bar.update
            ).scores
    model = fit_examples(processed, data, options, len(themes), seed)
    created = datetime.now(UTC).replace(microsecond=0)
    digest = data_hash(data)
    metadata: dict[str, Any] = {
        "version": f"{created:%Y%m%dT%H%M%SZ}-{digest[:8]}",
        "created_at": created.isoformat(),
        "training_data_hash": digest,
        "training_examples": len(data),
        "seed": seed,
        "labels": list(model.labels),
        "rule_themes": list(themes),
        "options": options.to_json(),
        "cross_validation": cv_scores,
        "thresholds": {
            "confidence": settings.confidence_threshold,
            "secondary": settings.secondary_threshold,
            "max_secondary": settings.max_secondary,
        },
        "library_versions": library_versions(),
        "pipeline": str(processor.nlp.meta.get("name", ""))
        + "-"
        + str(processor.nlp.meta.get("version", "")),
    }
    path = save_artefact(model, metadata, out_dir)
    return TrainResult(path, metadata)
