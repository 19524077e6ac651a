"""Retraining the theme classifier from staff corrections.

The rule, exactly:

* Corrections are the latest ``ThemeLabel`` of each concern (labelled before the end of the
  period), on the concern's redacted text, so no personal data reaches a model file.
* A fixed fifth of them (concern id divisible by 5) is the validation set; the rest are
  added to the shipped corpus to train a new model (fixed seed: reproducible).
* Both the model in use and the new one are scored by macro-F1 on that validation set. The
  new one is promoted (becomes ``current``) only if its score is no worse; otherwise the
  old one stays. Every trained model is recorded in ``model_versions`` with both scores.
* With fewer than ``retrain_min_validation`` (default 20) validation corrections there is
  nothing trustworthy to compare on, and the job trains nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifiers.artefact import Artefact, load_artefact, save_artefact
from classifiers.corpus import Example
from classifiers.errors import ModelUnavailable
from classifiers.evaluation import score
from classifiers.preprocess import TextProcessor
from classifiers.settings import CORPUS_DIR
from classifiers.training import DEFAULT_SEED, train
from engage.database import write_transaction
from engage.models import Concern, ModelVersion, ThemeLabel
from jobs.framework import JobContext, JobResult, Period

VALIDATION_EVERY = 5
DEFAULT_MIN_VALIDATION = 20
CANDIDATES = "candidates"


@dataclass(frozen=True)
class Correction:
    concern_id: int
    example: Example


def collect_corrections(session: Session, before: datetime) -> list[Correction]:
    """The latest label of each corrected concern, with the concern's redacted text."""
    latest = (
        select(func.max(ThemeLabel.id).label("id"))
        .where(ThemeLabel.labelled_at < before)
        .group_by(ThemeLabel.concern_id)
        .subquery()
    )
    rows = session.execute(
        select(
            ThemeLabel.concern_id,
            Concern.text_redacted,
            ThemeLabel.theme,
            ThemeLabel.secondary_themes,
        )
        .join(latest, latest.c.id == ThemeLabel.id)
        .join(Concern, Concern.id == ThemeLabel.concern_id)
        .where(Concern.text_redacted.is_not(None))
        .order_by(ThemeLabel.concern_id)
    ).all()
    session.rollback()
    return [
        Correction(
            concern_id,
            Example(text, theme, tuple(s for s in (secondary or []) if s != theme)),
        )
        for concern_id, text, theme, secondary in rows
        if text and text.strip()
    ]


def split(corrections: Sequence[Correction]) -> tuple[list[Example], list[Example]]:
    """(training, validation): validation is every concern whose id is divisible by 5."""
    training = [c.example for c in corrections if c.concern_id % VALIDATION_EVERY]
    validation = [c.example for c in corrections if not c.concern_id % VALIDATION_EVERY]
    return training, validation


def macro_f1(artefact: Artefact, examples: Sequence[Example]) -> float:
    """Macro-F1 of a model's primary theme on examples, over the themes they contain."""
    processor = TextProcessor(artefact.metadata["rule_themes"])
    proba = artefact.model.predict_proba(processor.process([e.text for e in examples]))
    labels = artefact.model.labels
    predicted = [labels[int(i)] for i in proba.argmax(axis=1)]
    return float(score([e.theme for e in examples], predicted)["macro_f1"])


def retrain_classifier(session: Session, period: Period, context: JobContext) -> JobResult:
    settings = context.settings
    model_dir = Path(settings["model_dir"])
    corpus_dir = Path(settings.get("corpus_dir") or CORPUS_DIR)
    minimum = int(settings.get("retrain_min_validation") or DEFAULT_MIN_VALIDATION)
    corrections = collect_corrections(session, period.bounds_utc()[1])
    training, validation = split(corrections)
    if len(validation) < minimum:
        return JobResult(
            rows=0,
            detail={
                "skipped": f"{len(validation)} validation correction(s); at least {minimum} needed",
                "corrections": len(corrections),
            },
        )
    current = _current(model_dir)
    current_f1 = macro_f1(current, validation) if current is not None else None
    candidates = model_dir / CANDIDATES
    trained = train(
        corpus_dir=corpus_dir,
        out_dir=candidates,
        seed=int(settings.get("retrain_seed") or DEFAULT_SEED),
        extra_examples=training,
        cv_folds=int(settings.get("retrain_cv_folds") or 0),
    )
    try:
        candidate = load_artefact(trained.path, trusted_root=model_dir)
        new_f1 = macro_f1(candidate, validation)
        promoted = current_f1 is None or new_f1 >= current_f1
        if promoted:
            metadata = {
                **candidate.metadata,
                "validation": _validation(new_f1, current, current_f1, validation),
            }
            save_artefact(candidate.model, metadata, model_dir)
    finally:
        shutil.rmtree(trained.path, ignore_errors=True)
    note = (
        "promoted: macro-F1 no worse than the model in use"
        if promoted
        else "kept the model in use: the new model scored lower"
    )
    with write_transaction(session):
        session.add(
            ModelVersion(
                version=candidate.version,
                trained_at=context.now,
                corrections_used=len(training),
                macro_f1=new_f1,
                previous_version=current.version if current is not None else None,
                previous_macro_f1=current_f1,
                promoted=promoted,
                note=f"{note}; {len(validation)} validation corrections",
            )
        )
    return JobResult(
        rows=1,
        detail={
            "version": candidate.version,
            "macro_f1": new_f1,
            "previous_version": current.version if current is not None else None,
            "previous_macro_f1": current_f1,
            "promoted": promoted,
            "training_corrections": len(training),
            "validation_corrections": len(validation),
        },
    )


def _current(model_dir: Path) -> Artefact | None:
    try:
        return load_artefact(model_dir)
    except ModelUnavailable:
        return None


def _validation(
    new_f1: float, current: Artefact | None, current_f1: float | None, examples: Sequence[Example]
) -> dict[str, Any]:
    return {
        "macro_f1": new_f1,
        "examples": len(examples),
        "previous_version": current.version if current is not None else None,
        "previous_macro_f1": current_f1,
        "rule": "promoted when macro-F1 on staff-corrected validation set is no worse",
    }
