"""Retraining promotes a new model only when its macro-F1 on the staff-corrected validation
set is no worse than the model in use, and records both scores either way."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers.artefact import load_artefact
from classifiers.corpus import Example
from classifiers.training import train
from engage.database import write_transaction
from engage.models import ModelVersion, ThemeLabel
from jobs.framework import JobContext, Period, run_job
from jobs.retraining import retrain_classifier
from tests.factories import staff_user
from tests.jobs.conftest import add_concerns, concern

pytestmark = pytest.mark.slow

WORDS = {
    "speeding": ("speeding cars", "racing too fast", "speed limit ignored", "boy racers speeding"),
    "drugs": ("drug dealing", "cannabis smell", "dealers selling drugs", "needles and drugs"),
    "litter_fly_tipping": ("fly tipping", "rubbish dumped", "litter everywhere", "dumped mattress"),
}
PLACES = ("on the high street", "by the school", "near the park", "in the village", "at night")
MONTH = Period("month", date(2026, 10, 1))


def _examples(shift: int = 0) -> list[Example]:
    """Clean examples; ``shift`` moves every label to another theme (a poisoned corpus)."""
    themes = list(WORDS)
    return [
        Example(f"{phrase} {place}", themes[(themes.index(theme) + shift) % len(themes)])
        for theme, phrases in WORDS.items()
        for phrase in phrases
        for place in PLACES
    ]


def _corpus(directory: Path, examples: list[Example]) -> Path:
    directory.mkdir(parents=True)
    with (directory / "corpus.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "theme", "secondary_themes"])
        writer.writerows([e.text, e.theme, ""] for e in examples)
    return directory


def _corrections(session: Session) -> None:
    """Fifty corrected concerns: ten (ids divisible by five) are the validation set."""
    analyst = staff_user(session, role="analyst")
    themes = list(WORDS)
    items = [
        concern(
            text_redacted=f"{WORDS[themes[n % 3]][n % 4]} {PLACES[n % 5]} again",
            theme="other",
        )
        for n in range(50)
    ]
    add_concerns(session, items)
    with write_transaction(session):
        for n, item in enumerate(items):
            session.add(
                ThemeLabel(
                    concern_id=item.id,
                    theme=themes[n % 3],
                    secondary_themes=[],
                    previous_theme="other",
                    labelled_by=analyst.id,
                    labelled_at=datetime(2026, 10, 10, tzinfo=UTC),
                )
            )


def _context(model_dir: Path, corpus_dir: Path) -> JobContext:
    return JobContext(
        now=datetime(2026, 11, 1, 3, tzinfo=UTC),
        triggered_by="test",
        settings={
            "model_dir": model_dir,
            "corpus_dir": corpus_dir,
            "retrain_min_validation": 5,
        },
    )


def test_keeps_the_old_model_when_the_new_one_is_worse(session: Session, tmp_path: Path) -> None:
    model_dir = tmp_path / "models"
    current = train(examples=_examples(), out_dir=model_dir, cv_folds=0)
    poisoned = _corpus(tmp_path / "poisoned", _examples(shift=1))
    _corrections(session)

    run = run_job(session, "retrain", retrain_classifier, MONTH, _context(model_dir, poisoned))

    assert run.outcome == "succeeded", run.detail
    assert run.detail["promoted"] is False
    assert run.detail["macro_f1"] < run.detail["previous_macro_f1"]
    assert load_artefact(model_dir).version == current.metadata["version"]
    record = session.scalars(select(ModelVersion)).one()
    assert (record.promoted, record.previous_version) == (False, current.metadata["version"])
    assert record.macro_f1 == run.detail["macro_f1"]
    assert record.previous_macro_f1 == run.detail["previous_macro_f1"]
    assert record.corrections_used == 40
    assert not list((model_dir / "candidates").glob("*/model.skops"))


def test_promotes_the_new_model_when_it_is_no_worse(session: Session, tmp_path: Path) -> None:
    model_dir = tmp_path / "models"
    old = train(examples=_examples(shift=1), out_dir=model_dir, cv_folds=0)
    clean = _corpus(tmp_path / "clean", _examples())
    _corrections(session)

    run = run_job(session, "retrain", retrain_classifier, MONTH, _context(model_dir, clean))

    assert run.outcome == "succeeded", run.detail
    assert run.detail["promoted"] is True
    assert run.detail["macro_f1"] >= run.detail["previous_macro_f1"]
    promoted = load_artefact(model_dir)
    assert promoted.version == run.detail["version"] != old.metadata["version"]
    assert promoted.metadata["validation"]["previous_version"] == old.metadata["version"]
    assert session.scalars(select(ModelVersion)).one().promoted is True


def test_too_few_corrections_trains_nothing(session: Session, tmp_path: Path) -> None:
    context = _context(tmp_path / "models", tmp_path / "nowhere")
    run = run_job(session, "retrain", retrain_classifier, MONTH, context)
    assert run.outcome == "succeeded"
    assert run.rows == 0
    assert "at least 5 needed" in run.detail["skipped"]
    assert session.scalars(select(ModelVersion)).all() == []
