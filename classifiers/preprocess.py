"""Tokenise and lemmatise once: each text goes through spaCy a single time and yields
everything the rest of the package needs (lemma string, rule hits, English-word share)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import spacy
from spacy.attrs import IS_ALPHA, IS_PUNCT, IS_SPACE, LEMMA, LOWER
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from classifiers.errors import ModelUnavailable
from classifiers.rules import PhraseRules
from classifiers.settings import PIPELINE_PATH

# Straight quotes, and hyphens and dashes as spaces: "fly-tipping" and "fly tipping" must be
# one phrase for the tokenizer, the lemma lookup and the rules alike.
_FOLD = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "-": " ",
        "\u2010": " ",
        "\u2011": " ",
        "\u2012": " ",
        "\u2013": " ",
        "\u2014": " ",
        "\u2015": " ",
    }
)
# A letter outside a-z: the text may not be English even if its words look it.
_NON_ASCII_LETTER = re.compile(r"[^\W\d_a-zA-Z]")
BATCH_SIZE = 256
_ATTRS = [LEMMA, LOWER, IS_PUNCT, IS_SPACE, IS_ALPHA]
_BATCH_ATTRS = [LEMMA, IS_PUNCT, IS_SPACE, IS_ALPHA]


# Spellings common enough in residents' reports to fold into one form before lemmatising.
_VARIANTS = re.compile(r"\b(?:fly(tip\w*)|gra+f+[ie]*t+[iy]*(?:e?d|s)?|graff)\b")


def _variant(match: re.Match[str]) -> str:
    if match.group(1):
        return "fly " + match.group(1)
    return "graffiti"


def normalise(text: str) -> str:
    """Lower-case, straighten quotes, turn hyphens into spaces, and fold common spelling
    variants ("flytipped" -> "fly tipped", "grafitti" -> "graffiti")."""
    text = text.lower().translate(_FOLD)
    if "flyt" in text or "gra" in text:  # the regex scan costs more than these look-ups
        text = _VARIANTS.sub(_variant, text)
    return text


def has_foreign_letters(text: str) -> bool:
    return _NON_ASCII_LETTER.search(text) is not None


class Processed(NamedTuple):
    """What one text becomes after a single pass through spaCy (a tuple: cheap to make)."""

    lemmas: str
    rule_hits: dict[int, int]
    words: int
    english_words: int


def load_pipeline(path: Path = PIPELINE_PATH) -> Language:
    if not (path / "config.cfg").exists():
        raise ModelUnavailable(
            f"spaCy pipeline missing at {path}: run python -m classifiers.build_pipeline"
        )
    return spacy.load(path)


class TextProcessor:
    """Holds the spaCy pipeline, the phrase rules and an English word list, built once."""

    def __init__(
        self,
        themes: Sequence[str],
        pipeline: Path = PIPELINE_PATH,
        extra_english: Iterable[str] = (),
    ) -> None:
        self.nlp = load_pipeline(pipeline)
        self.rules = PhraseRules(self.nlp, themes)
        self._english_ids = self._english_vocabulary(extra_english)
        self._strings: dict[int, str] = {}

    def _english_vocabulary(self, extra: Iterable[str]) -> frozenset[int]:
        """Hashes of the words that let a text count as English without asking the language
        detector: every form and lemma of the lookup table, stop words, and ``extra`` (the
        trained model's own single-word vocabulary)."""
        table = self.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]
        store = self.nlp.vocab.strings
        words = {str(value) for value in table.values()} | set(STOP_WORDS) | set(extra)
        return frozenset(int(key) for key in table) | frozenset(store.add(w) for w in words)

    def process(self, texts: Iterable[str], batch_size: int = BATCH_SIZE) -> list[Processed]:
        """Process a batch; the per-token work is done with numpy over each chunk."""
        return list(self.iter_process(texts, batch_size))

    def iter_process(
        self, texts: Iterable[str], batch_size: int = BATCH_SIZE
    ) -> Iterator[Processed]:
        """Digest the docs a chunk at a time: holding every Doc of a large batch alive at
        once makes the garbage collector's passes slower than the digest itself."""
        chunk: list[Doc] = []
        for doc in self.nlp.pipe(map(normalise, texts), batch_size=batch_size):
            chunk.append(doc)
            if len(chunk) == batch_size * 4:
                yield from self._digest_many(chunk)
                chunk = []
        if chunk:
            yield from self._digest_many(chunk)

    def process_one(self, text: str) -> Processed:
        return self._digest(self.nlp(normalise(text)))

    def _digest(self, doc: Doc) -> Processed:
        # One to_array call instead of Token objects: this loop runs for every token of
        # every concern, and Token attribute access costs as much as the tokenizer.
        lemmas: list[str] = []
        words = english = 0
        strings = self._strings
        english_ids = self._english_ids
        for lemma_id, lower_id, punct, space, alpha in doc.to_array(_ATTRS).tolist():
            if punct or space:
                continue
            lemma = strings.get(lemma_id)
            if lemma is None:
                lemma = strings[lemma_id] = self.nlp.vocab.strings[lemma_id or lower_id]
            lemmas.append(lemma)
            if alpha:
                words += 1
                if lower_id in english_ids or lemma_id in english_ids:
                    english += 1
        return Processed(" ".join(lemmas), self.rules.hits(doc), words, english)

    def _lemma(self, lemma_id: int) -> str:
        lemma = self._strings.get(lemma_id)
        if lemma is None:
            lemma = self._strings[lemma_id] = self.nlp.vocab.strings[lemma_id]
        return lemma

    def _digest_many(self, docs: Sequence[Doc]) -> list[Processed]:
        """:meth:`_digest` for many docs at once, with the same results.

        Only lemmas are checked against the English vocabulary: a form found in the lookup
        table has a lemma in it too, and any other form is its own lemma, so checking the
        lower-case form as well (as :meth:`_digest` does) changes nothing but the cost.
        """
        if not docs:
            return []
        arrays = [doc.to_array(_BATCH_ATTRS) for doc in docs]
        lengths = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
        table = np.concatenate(arrays).reshape(-1, len(_BATCH_ATTRS)).astype(np.uint64)
        doc_of = np.repeat(np.arange(len(docs)), lengths)
        keep = (table[:, 1] == 0) & (table[:, 2] == 0)
        alpha = keep & (table[:, 3] == 1)
        unique, inverse = np.unique(table[:, 0], return_inverse=True)
        inverse = inverse.ravel()
        unique_ids = unique.tolist()
        english_ids = self._english_ids
        known = np.fromiter(
            (i in english_ids for i in unique_ids), dtype=bool, count=len(unique_ids)
        )[inverse]
        words = np.bincount(doc_of[alpha], minlength=len(docs)).tolist()
        english = np.bincount(doc_of[alpha & known], minlength=len(docs)).tolist()
        names = np.array([self._lemma(i) for i in unique_ids], dtype=object)
        tokens = names[inverse[keep]].tolist()
        bounds = np.concatenate(
            [[0], np.cumsum(np.bincount(doc_of[keep], minlength=len(docs)))]
        ).tolist()
        hits = self.rules.hits
        return [
            Processed(" ".join(tokens[bounds[i] : bounds[i + 1]]), hits(doc), words[i], english[i])
            for i, doc in enumerate(docs)
        ]
