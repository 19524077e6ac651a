"""Build the small spaCy pipeline committed at ``classifiers/pipeline/``.

A blank English tokenizer plus the lookup lemmatizer. Only this build needs the large
``spacy-lookups-data`` package (``pip install .[build]``); the saved pipeline is under 1 MB
and is all that training and prediction load. Run: ``python -m classifiers.build_pipeline``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import spacy
from spacy.strings import get_string_id

from classifiers.settings import PIPELINE_PATH

# Inflected forms whose lemma would merge two themes' words, so they keep their own form:
# "cracked"/"cracks" (pavements) must not become "crack" (the drug), and "parking"/"parked"
# must not become "park" (where youths gather and people drink).
KEEP_SURFACE_FORMS = ("cracked", "cracking", "cracks", "parking", "parked")


def build(out: Path = PIPELINE_PATH) -> Path:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]
    for form in KEEP_SURFACE_FORMS:
        if form in table:
            del table[get_string_id(form)]
    nlp.meta["name"] = "engage_lemmas"
    nlp.meta["version"] = "1.1.0"
    nlp.meta["description"] = "Blank English tokenizer with the lookup lemmatizer (Engage)."
    if out.exists():
        shutil.rmtree(out)
    nlp.to_disk(out)
    return out


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else PIPELINE_PATH
    path = build(out)
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    print(f"wrote {path} ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
