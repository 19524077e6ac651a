"""Loading and checking labelled CSV files (``text,theme,secondary_themes``) and
unlabelled ones (``text``)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from classifiers.errors import CorpusError


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    theme: str
    secondary: tuple[str, ...] = ()


def _read_rows(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read the file ({exc.strerror})") from exc
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"{path}: not UTF-8 text (bad byte at position {exc.start}); save it as UTF-8 CSV"
        ) from exc
    if not content.strip():
        raise CorpusError(f"{path}: the file is empty")
    reader = csv.DictReader(io.StringIO(content, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in required if name not in header]
    if missing:
        raise CorpusError(
            f"{path}: missing column(s) {', '.join(missing)}; the header has {', '.join(header)}"
        )
    try:
        rows = [
            {(k or "").strip(): (v if isinstance(v, str) else "") for k, v in row.items()}
            for row in reader
        ]
    except csv.Error as exc:
        raise CorpusError(f"{path}: malformed CSV at line {reader.line_num}: {exc}") from exc
    if not rows:
        raise CorpusError(f"{path}: the file has a header but no rows")
    return rows


def read_texts(path: Path) -> list[str]:
    """Texts of a CSV with a ``text`` column (other columns are ignored)."""
    return [row["text"] for row in _read_rows(path, ["text"])]


def read_labelled(path: Path, themes: Iterable[str]) -> list[Example]:
    """Examples of a CSV with ``text`` and ``theme`` (and optionally ``secondary_themes``).

    Rows with an empty text are skipped; an unknown theme id anywhere is an error, since a
    typo in a label would otherwise quietly teach the model a new theme.
    """
    known = set(themes)
    examples: list[Example] = []
    for line, row in enumerate(_read_rows(path, ["text", "theme"]), start=2):
        text = row["text"].strip()
        if not text:
            continue
        theme = row["theme"].strip()
        if theme not in known:
            raise CorpusError(f"{path}, row {line}: unknown theme id {theme!r}")
        secondary = tuple(
            dict.fromkeys(
                s.strip() for s in row.get("secondary_themes", "").split(";") if s.strip()
            )
        )
        for other in secondary:
            if other not in known:
                raise CorpusError(f"{path}, row {line}: unknown secondary theme id {other!r}")
        examples.append(Example(text, theme, tuple(s for s in secondary if s != theme)))
    if not examples:
        raise CorpusError(f"{path}: no row has any text")
    return examples


def corpus_files(directory: Path) -> list[Path]:
    files = sorted(directory.glob("*.csv"))
    if not files:
        raise CorpusError(f"{directory}: no *.csv files to train on")
    return files


def load_corpus(directory: Path, themes: Iterable[str]) -> list[Example]:
    """Every example of every CSV in ``directory``, exact duplicates dropped (first wins)."""
    theme_list = list(themes)
    seen: set[str] = set()
    examples: list[Example] = []
    for path in corpus_files(directory):
        for example in read_labelled(path, theme_list):
            key = " ".join(example.text.lower().split())
            if key not in seen:
                seen.add(key)
                examples.append(example)
    return examples


def data_hash(examples: Iterable[Example]) -> str:
    """SHA-256 over the examples in a canonical order: the same data gives the same hash
    whatever the file names or row order."""
    digest = hashlib.sha256()
    for line in sorted(f"{e.text}\t{e.theme}\t{';'.join(e.secondary)}" for e in examples):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
