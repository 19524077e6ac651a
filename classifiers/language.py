"""Language detection: is a concern English, and if not, which language is it in?

The detector (lingua) chooses only between English and the languages most spoken in
Cambridgeshire and Peterborough (``languages:`` in config/classifier.yaml). Two guards keep
short English answers English: a text whose words are almost all in spaCy's English lemma
table is English without asking lingua (this is also what keeps the batch fast), and a one-
or two-word answer with only a-z letters is only called foreign when lingua is very sure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from classifiers.errors import ConfigError
from classifiers.preprocess import Processed, has_foreign_letters

UNDETERMINED = "und"
ENGLISH_SHARE = 0.75  # share of known English words above which lingua is not asked
SHORT_WORDS = 2
SHORT_FOREIGN_CONFIDENCE = 0.8
FOREIGN_CONFIDENCE = 0.5


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str  # ISO 639-1, or "und" when there are no words to judge
    confidence: float

    @property
    def is_english(self) -> bool:
        return self.code == "en"

    @property
    def needs_translation(self) -> bool:
        return self.code not in ("en", UNDETERMINED)


@lru_cache(maxsize=4)
def _detector(codes: tuple[str, ...]) -> LanguageDetector:
    languages = []
    for code in codes:
        try:
            iso = IsoCode639_1.from_str(code)
        except ValueError as exc:
            raise ConfigError(f"languages: lingua has no language with code {code!r}") from exc
        languages.append(Language.from_iso_code_639_1(iso))
    return (
        LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    )


class LanguageDetectorService:
    """Wraps a lingua detector built once for the configured languages."""

    def __init__(self, codes: Sequence[str]) -> None:
        self.codes = tuple(codes)
        self._lingua = _detector(self.codes)

    def detect(self, text: str, processed: Processed) -> LanguageGuess:
        quick = self._quick(text, processed)
        if quick is not None:
            return quick
        values = self._lingua.compute_language_confidence_values(text)
        return self._judge(text, processed, values)

    def detect_many(
        self, texts: Sequence[str], processed: Sequence[Processed]
    ) -> list[LanguageGuess]:
        guesses: list[LanguageGuess | None] = [
            self._quick(text, p) for text, p in zip(texts, processed, strict=True)
        ]
        pending = [i for i, guess in enumerate(guesses) if guess is None]
        if pending:
            all_values = self._lingua.compute_language_confidence_values_in_parallel(
                [texts[i] for i in pending]
            )
            for i, values in zip(pending, all_values, strict=True):
                guesses[i] = self._judge(texts[i], processed[i], values)
        return [guess for guess in guesses if guess is not None]

    @staticmethod
    def _quick(text: str, processed: Processed) -> LanguageGuess | None:
        if processed.words == 0:
            return LanguageGuess(UNDETERMINED, 0.0)
        share = processed.english_words / processed.words
        if share >= ENGLISH_SHARE and not has_foreign_letters(text):
            return LanguageGuess("en", 1.0)
        return None

    @staticmethod
    def _judge(text: str, processed: Processed, values: Sequence[object]) -> LanguageGuess:
        if not values:
            return LanguageGuess("en", 0.0)
        top = values[0]
        language: Language = top.language  # type: ignore[attr-defined]
        confidence = float(top.value)  # type: ignore[attr-defined]
        code = language.iso_code_639_1.name.lower()
        if code == "en":
            return LanguageGuess("en", confidence)
        short_ascii = processed.words <= SHORT_WORDS and not has_foreign_letters(text)
        needed = SHORT_FOREIGN_CONFIDENCE if short_ascii else FOREIGN_CONFIDENCE
        if confidence >= needed:
            return LanguageGuess(code, confidence)
        # Not sure enough to call it foreign: misspelt English is the likelier story here.
        return LanguageGuess("en", 1.0 - confidence)
