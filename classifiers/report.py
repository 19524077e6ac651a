"""``python -m classifiers.report``: the quality report behind ``make evaluate``.

Splits the corpus into a training part and a held-out part by a hash of each text (so a
row stays on its side as the corpus grows), trains on the training part only, and scores
the held-out part and, when it exists, shared's real FixMyStreet set (whose texts are read
at evaluation time and never copied). Prints JSON; exits non-zero on a missed target only
with ``--strict``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from classifiers.corpus import Example, load_corpus, read_labelled
from classifiers.errors import ClassifierError
from classifiers.evaluation import score
from classifiers.service import ThemeClassifier
from classifiers.settings import CORPUS_DIR, PROJECT_ROOT, ClassifierSettings, theme_ids
from classifiers.training import DEFAULT_SEED, train

SHARED_SET = PROJECT_ROOT.parent / "shared" / "data" / "fixmystreet_london_dev.csv"
HOLDOUT_SHARE = 5  # one text in five is held out
TARGETS = {"holdout_macro_f1": 0.85, "shared_macro_f1": 0.90}


def is_held_out(text: str) -> bool:
    key = " ".join(text.lower().split()).encode("utf-8")
    return int(hashlib.sha256(key).hexdigest()[:8], 16) % HOLDOUT_SHARE == 0


def split(examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    train_part = [e for e in examples if not is_held_out(e.text)]
    held_out = [e for e in examples if is_held_out(e.text)]
    return train_part, held_out


def _scored(classifier: ThemeClassifier, examples: Sequence[Example]) -> dict[str, Any]:
    results = classifier.classify_many([e.text for e in examples])
    report = score(
        [e.theme for e in examples], [r.theme for r in results], [r.confidence for r in results]
    )
    report["needs_review_share"] = round(sum(r.needs_review for r in results) / len(results), 4)
    report["needs_translation"] = sum(r.needs_translation for r in results)
    reviewed = [
        (e.theme, r.theme) for e, r in zip(examples, results, strict=True) if not r.needs_review
    ]
    if reviewed:
        report["accuracy_when_not_flagged"] = round(
            sum(g == p for g, p in reviewed) / len(reviewed), 4
        )
    return report


def build_report(corpus: Path, shared: Path, seed: int) -> dict[str, Any]:
    themes = theme_ids()
    train_part, held_out = split(load_corpus(corpus, themes))
    report: dict[str, Any] = {"train_rows": len(train_part), "held_out_rows": len(held_out)}
    with tempfile.TemporaryDirectory(prefix="engage-report-") as tmp:
        model_dir = Path(tmp)
        settings = ClassifierSettings.from_yaml(model_dir=model_dir)
        started = time.perf_counter()
        result = train(examples=train_part, out_dir=model_dir, seed=seed, settings=settings)
        report["train_seconds"] = round(time.perf_counter() - started, 2)
        report["cross_validation"] = result.metadata["cross_validation"]
        classifier = ThemeClassifier.load(model_dir, settings)
        report["model_version"] = classifier.version
        report["held_out"] = _scored(classifier, held_out) if held_out else None
        if shared.exists():
            report["shared"] = _scored(classifier, read_labelled(shared, themes))
        else:
            report["shared"] = f"skipped: {shared} is absent"
    report["targets"] = TARGETS
    return report


@click.command()
@click.option(
    "--corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=CORPUS_DIR,
    show_default=True,
)
@click.option(
    "--shared",
    type=click.Path(dir_okay=False, path_type=Path),
    default=SHARED_SET,
    show_default=True,
    help="Real labelled set; skipped with a message when absent.",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 when a quality target is missed.")
def main(corpus: Path, shared: Path, seed: int, strict: bool) -> None:
    """Train on the training split; score the held-out split and the shared real set."""
    try:
        report = build_report(corpus, shared, seed)
    except ClassifierError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(report, indent=2))
    if not isinstance(report["shared"], dict):
        click.echo(report["shared"], err=True)
    missed = []
    if report["held_out"] and report["held_out"]["macro_f1"] < TARGETS["holdout_macro_f1"]:
        missed.append("held-out macro-F1")
    if isinstance(report["shared"], dict) and (
        report["shared"]["macro_f1"] < TARGETS["shared_macro_f1"]
    ):
        missed.append("shared-set macro-F1")
    if missed:
        click.echo(f"target missed: {', '.join(missed)}", err=True)
        if strict:
            sys.exit(1)


if __name__ == "__main__":
    main()
