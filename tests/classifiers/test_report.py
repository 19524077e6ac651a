"""The quality report: a stable held-out split, and the shared set skipped when absent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from classifiers.corpus import Example
from classifiers.errors import CorpusError
from classifiers.report import build_report, is_held_out, split
from classifiers.training import train


def test_split_is_stable_and_disjoint(examples: list[Example]) -> None:
    train_part, held_out = split(examples)
    assert {e.text for e in train_part}.isdisjoint({e.text for e in held_out})
    assert len(train_part) + len(held_out) == len(examples)
    assert all(is_held_out(e.text) for e in held_out)
    assert split(list(reversed(examples)))[1] == list(reversed(held_out))


def test_report_skips_an_absent_shared_set(
    examples: list[Example], tmp_path: Path, write_csv: Callable[[Path, list[Example]], Path]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # Three wordings of each row, so every theme keeps enough rows on the training side.
    varied = [
        Example(f"{e.text}{suffix}", e.theme, e.secondary)
        for e in examples
        for suffix in ("", " again", " every week")
    ]
    write_csv(corpus / "rows.csv", varied)
    report = build_report(corpus, tmp_path / "absent.csv", seed=5)
    assert report["shared"].startswith("skipped:")
    assert report["held_out"]["n"] == report["held_out_rows"]
    assert 0.0 <= report["held_out"]["macro_f1"] <= 1.0


def test_training_refuses_a_theme_with_too_few_examples(
    examples: list[Example], tmp_path: Path
) -> None:
    few = [*(e for e in examples if e.theme != "noise"), Example("loud music", "noise")]
    with pytest.raises(CorpusError, match="noise has fewer than 3"):
        train(examples=few, out_dir=tmp_path / "models", cv_folds=0)
