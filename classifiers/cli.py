"""Click commands for training, evaluating and batch-classifying (plain click, no Flask).

The lead attaches them to the ``engage`` CLI (``cli.add_command(train)`` and so on); they
also run as ``python -m classifiers.cli``.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TextIO

import click

from classifiers.corpus import read_labelled, read_texts
from classifiers.errors import ClassifierError
from classifiers.evaluation import score
from classifiers.service import Classification, ThemeClassifier
from classifiers.settings import CORPUS_DIR, ClassifierSettings, theme_ids
from classifiers.training import DEFAULT_SEED
from classifiers.training import train as run_training

_existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def _load(model: Path | None) -> ThemeClassifier:
    """The model named by ``--model`` (an operator's explicit choice, so it is the model
    directory for the trust checks), else the configured one."""
    try:
        settings = ClassifierSettings.from_yaml()
        if model is None:
            return ThemeClassifier.load(settings.model_dir, settings)
        return ThemeClassifier.load(model, ClassifierSettings.from_yaml(model_dir=model))
    except ClassifierError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("train")
@click.option(
    "--corpus",
    "corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=CORPUS_DIR,
    show_default=True,
    help="Folder of labelled *.csv files.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Model directory (default: model_dir in config/classifier.yaml).",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
def train(corpus: Path, out: Path | None, seed: int) -> None:
    """Train the theme classifier and make it the current model."""
    try:
        result = run_training(corpus_dir=corpus, out_dir=out, seed=seed, progress=True)
    except ClassifierError as exc:
        raise click.ClickException(str(exc)) from exc
    cv = result.metadata["cross_validation"]
    click.echo(
        f"model {result.metadata['version']} written to {result.path}"
        f" ({result.metadata['training_examples']} examples;"
        f" cross-validated macro-F1 {cv.get('macro_f1', 'n/a')},"
        f" accuracy {cv.get('accuracy', 'n/a')})"
    )


@click.command("evaluate")
@click.argument("file", type=_existing_file)
@click.option(
    "--model",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Model directory or version folder (default: the configured current model).",
)
def evaluate(file: Path, model: Path | None) -> None:
    """Score the model on a labelled CSV (text,theme) and print JSON."""
    try:
        examples = read_labelled(file, theme_ids())
    except ClassifierError as exc:
        raise click.ClickException(str(exc)) from exc
    classifier = _load(model)
    results = classifier.classify_many([e.text for e in examples])
    report = score(
        [e.theme for e in examples], [r.theme for r in results], [r.confidence for r in results]
    )
    report["model_version"] = classifier.version
    report["needs_review"] = sum(r.needs_review for r in results)
    report["needs_translation"] = sum(r.needs_translation for r in results)
    click.echo(json.dumps(report, indent=2))


@click.command("classify")
@click.argument("file", type=_existing_file)
@click.option(
    "--model",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Model directory or version folder (default: the configured current model).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output CSV (default: standard output).",
)
def classify(file: Path, model: Path | None, out: Path | None) -> None:
    """Classify every text of a CSV with a text column; write
    text,theme,confidence,secondary_themes,needs_review."""
    try:
        texts = read_texts(file)
    except ClassifierError as exc:
        raise click.ClickException(str(exc)) from exc
    classifier = _load(model)
    results = classifier.classify_many(texts)
    if out is None:
        _write(sys.stdout, texts, results)
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            _write(handle, texts, results)
        click.echo(f"wrote {len(results)} rows to {out}", err=True)


def _write(handle: TextIO, texts: list[str], results: list[Classification]) -> None:
    writer = csv.writer(handle)
    writer.writerow(["text", "theme", "confidence", "secondary_themes", "needs_review"])
    for text, result in zip(texts, results, strict=True):
        writer.writerow(
            [
                text,
                result.theme or "",
                f"{result.confidence:.4f}",
                ";".join(theme for theme, _ in result.secondary),
                "true" if result.needs_review else "false",
            ]
        )


@click.group("classifier")
def cli() -> None:
    """Theme classifier commands."""


cli.add_command(train)
cli.add_command(evaluate)
cli.add_command(classify)

if __name__ == "__main__":
    cli()
