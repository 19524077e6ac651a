"""The click commands on good and bad files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from classifiers.cli import classify, evaluate, train
from classifiers.training import TrainResult

GOLD = [
    ("speeding cars every night", "speeding"),
    ("fly-tipping in the lane", "litter_fly_tipping"),
    ("graffiti on the wall", "criminal_damage"),
    ("hare coursing on the fen", "rural_crime"),
]


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def model_dir(trained: TrainResult) -> Path:
    return trained.path.parent


@pytest.fixture
def gold_file(tmp_path: Path) -> Path:
    return _write(tmp_path / "gold.csv", [["text", "theme"], *[list(row) for row in GOLD]])


def test_train_writes_a_current_model(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "models"
    result = CliRunner().invoke(
        train, ["--corpus", str(corpus_dir), "--out", str(out), "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    version = (out / "current").read_text(encoding="utf-8").strip()
    assert (out / version / "model.skops").exists()
    assert version in result.output


def test_train_rejects_a_bad_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write(corpus / "rows.csv", [["text", "theme"], ["speeding", "speeding_cars"]])
    result = CliRunner().invoke(train, ["--corpus", str(corpus), "--out", str(tmp_path / "m")])
    assert result.exit_code != 0
    assert "unknown theme id 'speeding_cars'" in result.output


def test_evaluate_prints_scores(gold_file: Path, model_dir: Path) -> None:
    result = CliRunner().invoke(evaluate, [str(gold_file), "--model", str(model_dir)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["accuracy"] == 1.0
    assert report["macro_f1"] == 1.0
    assert report["macro_f1_over"] == "themes present in the gold labels"
    assert set(report["per_theme"]) == {theme for _, theme in GOLD}
    assert report["per_theme"]["speeding"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "support": 1,
    }
    assert report["confusions"] == []


def test_evaluate_lists_confusions(tmp_path: Path, model_dir: Path) -> None:
    gold = _write(
        tmp_path / "gold.csv",
        [["text", "theme"], ["speeding cars", "parking"], ["graffiti", "parking"]],
    )
    result = CliRunner().invoke(evaluate, [str(gold), "--model", str(model_dir)])
    report = json.loads(result.output)
    assert report["accuracy"] == 0.0
    assert {"gold": "parking", "predicted": "speeding", "count": 1} in report["confusions"]


def test_classify_writes_csv(gold_file: Path, model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        classify, [str(gold_file), "--model", str(model_dir), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["text", "theme", "confidence", "secondary_themes", "needs_review"]
    assert [row["theme"] for row in rows] == [theme for _, theme in GOLD]
    assert all(row["needs_review"] in ("true", "false") for row in rows)
    assert all(0 < float(row["confidence"]) <= 1 for row in rows)


def test_classify_to_stdout(tmp_path: Path, model_dir: Path) -> None:
    texts = _write(tmp_path / "in.csv", [["text"], ["speeding"], ["Dużo śmieci na ulicy i nikt"]])
    result = CliRunner().invoke(classify, [str(texts), "--model", str(model_dir)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.output.splitlines()))
    assert rows[0]["theme"] == "speeding"
    assert rows[1]["theme"] == ""
    assert rows[1]["needs_review"] == "true"


BAD_FILES = {
    "missing column": ([["words", "theme"], ["speeding", "speeding"]], "missing column(s) text"),
    "unknown theme": ([["text", "theme"], ["speeding", "fast_cars"]], "unknown theme id"),
    "header only": ([["text", "theme"]], "no rows"),
}
CASES = [
    (evaluate, "missing column"),
    (evaluate, "unknown theme"),
    (evaluate, "header only"),
    (classify, "missing column"),  # classify reads only the text column, so no theme check
    (classify, "header only"),
]


@pytest.mark.parametrize(("command", "kind"), CASES, ids=[f"{c.name}-{k}" for c, k in CASES])
def test_malformed_files_are_rejected(
    command: click.Command, kind: str, tmp_path: Path, model_dir: Path
) -> None:
    rows, message = BAD_FILES[kind]
    path = _write(tmp_path / "bad.csv", rows)
    result = CliRunner().invoke(command, [str(path), "--model", str(model_dir)])
    assert result.exit_code != 0
    assert message in result.output


@pytest.mark.parametrize("command", [evaluate, classify])
def test_empty_file_is_rejected(command: click.Command, tmp_path: Path, model_dir: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = CliRunner().invoke(command, [str(path), "--model", str(model_dir)])
    assert result.exit_code != 0
    assert "the file is empty" in result.output


@pytest.mark.parametrize("command", [evaluate, classify])
def test_bad_encoding_is_rejected(command: click.Command, tmp_path: Path, model_dir: Path) -> None:
    path = _write(
        tmp_path / "latin1.csv", [["text", "theme"], ["café racers", "speeding"]], "latin-1"
    )
    result = CliRunner().invoke(command, [str(path), "--model", str(model_dir)])
    assert result.exit_code != 0
    assert "not UTF-8" in result.output


def test_missing_model_is_a_clear_error(gold_file: Path, tmp_path: Path) -> None:
    empty = tmp_path / "models"
    empty.mkdir()
    result = CliRunner().invoke(evaluate, [str(gold_file), "--model", str(empty)])
    assert result.exit_code != 0
    assert "no model" in result.output
