"""The training corpus is big enough, labelled with taxonomy ids, and our own words."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "classifiers" / "corpus"
SHARED_SET = ROOT.parent / "shared" / "data" / "fixmystreet_london_dev.csv"
THEMES = {t["id"] for t in yaml.safe_load((ROOT / "config" / "themes.yaml").read_text())["themes"]}


def _rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted(CORPUS.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == ["text", "theme", "secondary_themes"], path.name
            rows.extend(reader)
    return rows


ROWS = _rows()


# Stock phrases under seven words ("Graffiti on bus shelter") are everyday wording that
# any two reporters share; copying shows in longer texts.
MIN_TRIGRAMS = 5


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = _normalise(text).split()
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def test_there_are_at_least_3000_rows_and_80_for_every_theme() -> None:
    counts = Counter(row["theme"] for row in ROWS)
    assert len(ROWS) >= 3000
    assert set(counts) == THEMES
    assert min(counts.values()) >= 80


def test_every_label_is_a_taxonomy_id() -> None:
    for row in ROWS:
        assert row["theme"] in THEMES
        secondary = [t for t in row["secondary_themes"].split(";") if t]
        assert set(secondary) <= THEMES
        assert row["theme"] not in secondary


def test_no_text_appears_twice() -> None:
    normalised = Counter(_normalise(row["text"]) for row in ROWS)
    assert [text for text, n in normalised.items() if n > 1] == []


def test_no_text_is_taken_from_the_real_reports_in_shared() -> None:
    if not SHARED_SET.exists():
        pytest.skip(f"{SHARED_SET} not found: the overlap check needs shared/ beside the repo")
    with SHARED_SET.open(encoding="utf-8", newline="") as handle:
        real = [row["text"] for row in csv.DictReader(handle)]
    real_prefixes = {_normalise(text)[:60] for text in real if len(_normalise(text)) >= 30}
    real_grams = [g for g in (_trigrams(text) for text in real) if len(g) >= 3]
    index: dict[tuple[str, ...], list[int]] = {}
    for i, grams in enumerate(real_grams):
        for gram in grams:
            index.setdefault(gram, []).append(i)

    overlapping = []
    for row in ROWS:
        text = _normalise(row["text"])
        grams = _trigrams(row["text"])
        if len(grams) < MIN_TRIGRAMS:
            continue
        if len(text) >= 30 and text[:60] in real_prefixes:
            overlapping.append(row["text"])
            continue
        shared = Counter(i for gram in grams for i in index.get(gram, ()))
        for i, common in shared.items():
            union = len(grams | real_grams[i])
            if common / union >= 0.5 or common / min(len(grams), len(real_grams[i])) >= 0.8:
                overlapping.append(row["text"])
                break
    assert overlapping == []
