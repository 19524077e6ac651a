"""``python -m classifiers.selection``: the measurements behind the model's design.

Cross-validates candidate feature/model settings on the training split of the corpus (the
held-out split of :mod:`classifiers.report` is never touched) and prints, for each:
macro-F1, accuracy, expected calibration error of the confidence, and fit/predict speed.
Then, for the chosen settings, the needs_review and secondary-theme thresholds that the
out-of-fold probabilities support. Results are written down in classifiers/MEASUREMENTS.md.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import numpy as np

from classifiers.corpus import Example, load_corpus
from classifiers.model import ModelOptions
from classifiers.preprocess import Processed, TextProcessor
from classifiers.report import split
from classifiers.settings import CORPUS_DIR, theme_ids
from classifiers.training import DEFAULT_SEED, CrossValidation, cross_validate, fit_examples

CHOSEN = ModelOptions()
CANDIDATES: dict[str, ModelOptions] = {
    "chosen: words 1, LinearSVC C=1 + sigmoid, rule weight 0.25": CHOSEN,
    "words 1-2": replace(CHOSEN, word_ngrams=(1, 2)),
    "words 1-2, min_df 2": replace(CHOSEN, word_ngrams=(1, 2), min_df=2),
    "words 1 + char_wb 2-5": replace(CHOSEN, char_ngrams=(2, 5)),
    "words 1, min_df 2": replace(CHOSEN, min_df=2),
    "logistic regression C=10": replace(CHOSEN, classifier="lr", c=10.0),
    "LinearSVC C=0.3": replace(CHOSEN, c=0.3),
    "LinearSVC C=3": replace(CHOSEN, c=3.0),
    "rule weight 0 (no rules)": replace(CHOSEN, rule_weight=0.0),
    "rule weight 0.5": replace(CHOSEN, rule_weight=0.5),
    "rule weight 1": replace(CHOSEN, rule_weight=1.0),
    "secondary rows weight 0.5": replace(CHOSEN, secondary_weight=0.5),
}


def expected_calibration_error(
    confidence: np.ndarray[Any, Any], correct: np.ndarray[Any, Any]
) -> float:
    bins = np.minimum((confidence * 10).astype(int), 9)
    error = 0.0
    for b in range(10):
        mask = bins == b
        if mask.any():
            error += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return round(float(error), 4)


def measure(
    name: str,
    options: ModelOptions,
    processed: Sequence[Processed],
    examples: Sequence[Example],
    columns: int,
    seed: int,
) -> tuple[dict[str, Any], CrossValidation]:
    started = time.perf_counter()
    result = cross_validate(processed, examples, options, columns, seed)
    scores, proba, labels = result.scores, result.proba, result.labels
    cv_seconds = time.perf_counter() - started
    gold = np.array([e.theme for e in examples])
    predicted = np.array(labels)[proba.argmax(axis=1)]
    started = time.perf_counter()
    model = fit_examples(processed, examples, options, columns, seed)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model.predict(processed)
    per_second = len(processed) / (time.perf_counter() - started)
    row = {
        "candidate": name,
        "macro_f1": scores["macro_f1"],
        "accuracy": scores["accuracy"],
        "ece": expected_calibration_error(proba.max(axis=1), predicted == gold),
        "fit_seconds": round(fit_seconds, 2),
        "cv_seconds": round(cv_seconds, 1),
        "predict_per_second": round(per_second),
    }
    return row, result


def thresholds(result: CrossValidation, examples: Sequence[Example]) -> dict[str, Any]:
    """Review threshold: share flagged and accuracy of the rest at each cut. Secondary
    threshold: F1 of "secondary themes predicted" against the labelled ones."""
    proba, ovr, labels = result.proba, result.ovr, result.labels
    gold = np.array([e.theme for e in examples])
    predicted = np.array(labels)[proba.argmax(axis=1)]
    confidence = proba.max(axis=1)
    review = []
    for cut in (0.3, 0.4, 0.5, 0.6, 0.7):
        kept = confidence >= cut
        review.append(
            {
                "threshold": cut,
                "flagged_share": round(float(1 - kept.mean()), 3),
                "accuracy_of_rest": round(float((predicted[kept] == gold[kept]).mean()), 4),
            }
        )
    secondary = []
    for cut in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4):
        tp = fp = fn = 0
        for row, others, example in zip(proba, ovr, examples, strict=True):
            top = int(row.argmax())
            others = others.copy()
            others[top] = -1.0
            chosen = {labels[i] for i in np.argsort(-others)[:2] if others[i] >= cut}
            truth = set(example.secondary)
            tp += len(chosen & truth)
            fp += len(chosen - truth)
            fn += len(truth - chosen)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        secondary.append(
            {
                "threshold": cut,
                "precision": round(precision, 3),
                "recall": round(recall, 3),
                "f1": round(f1, 3),
            }
        )
    return {"review": review, "secondary": secondary}


@click.command()
@click.option(
    "--corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=CORPUS_DIR,
    show_default=True,
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option("--only", multiple=True, help="Measure only candidates whose name contains this.")
def main(corpus: Path, seed: int, only: tuple[str, ...]) -> None:
    """Cross-validate the candidate settings on the training split and print JSON lines."""
    themes = theme_ids()
    examples, _ = split(load_corpus(corpus, themes))
    processor = TextProcessor(themes)
    processed = processor.process([e.text for e in examples])
    click.echo(json.dumps({"training_split_rows": len(examples)}))
    for name, options in CANDIDATES.items():
        if only and not any(word in name for word in only):
            continue
        row, result = measure(name, options, processed, examples, len(themes), seed)
        click.echo(json.dumps(row))
        if options == CHOSEN:
            click.echo(json.dumps(thresholds(result, examples)))


if __name__ == "__main__":
    main()
