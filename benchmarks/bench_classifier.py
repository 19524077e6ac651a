"""Speed benchmarks of the theme classifier (never run as timed unit tests).

    PYTHONPATH=. python benchmarks/bench_classifier.py [--json]

Measures, on texts sampled with replacement from classifiers/corpus/*.csv:
- training time on 20,000 concerns (target < 60 s on 2 cores), with and without the
  5-fold cross-validation that `train` records in the metadata;
- batch throughput of ThemeClassifier.classify_many (target >= 3,000 concerns/s and >= 60 %
  of what the spaCy pipeline alone manages on the same texts in the same run);
- inline latency of ThemeClassifier.classify, language detection included (p95 < 5 ms).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from classifiers.corpus import Example, load_corpus
from classifiers.service import ThemeClassifier
from classifiers.settings import CORPUS_DIR, ClassifierSettings, theme_ids
from classifiers.training import train

TRAIN_ROWS = 20_000
BATCH_ROWS = 20_000
INLINE_CALLS = 2_000
REPEATS = 3
TARGETS = {
    "train_seconds": 60.0,
    "batch_per_second": 3000.0,
    "batch_share_of_spacy": 0.60,
    "inline_p95_ms": 5.0,
}


def _sample(examples: list[Example], n: int, seed: int) -> list[Example]:
    rng = random.Random(seed)
    return [rng.choice(examples) for _ in range(n)]


def run(corpus: Path, seed: int, skip_training: bool = False) -> dict[str, object]:
    examples = load_corpus(corpus, theme_ids())
    results: dict[str, object] = {"corpus_rows": len(examples)}
    training = _sample(examples, TRAIN_ROWS, seed)
    with tempfile.TemporaryDirectory(prefix="engage-bench-") as tmp:
        model_dir = Path(tmp)
        settings = ClassifierSettings.from_yaml(model_dir=model_dir)
        if skip_training:
            train(examples=examples, out_dir=model_dir, seed=seed, settings=settings, cv_folds=0)
            results["train_seconds"] = 0.0
        else:
            started = time.perf_counter()
            train(examples=training, out_dir=model_dir, seed=seed, settings=settings, cv_folds=0)
            results["train_seconds"] = round(time.perf_counter() - started, 2)
            started = time.perf_counter()
            train(examples=training, out_dir=model_dir, seed=seed, settings=settings)
            results["train_seconds_with_5fold_cv"] = round(time.perf_counter() - started, 2)

        started = time.perf_counter()
        classifier = ThemeClassifier.load(model_dir, settings)
        results["load_seconds"] = round(time.perf_counter() - started, 2)

        texts = [e.text for e in _sample(examples, BATCH_ROWS, seed + 1)]
        classifier.classify_many(texts[:500])  # warm caches
        nlp = classifier.processor.nlp
        # Best of REPEATS, interleaved, so that a busy machine hurts both sides alike.
        spacy_best = batch_best = float("inf")
        for _ in range(REPEATS):
            started = time.perf_counter()
            for _doc in nlp.pipe(texts, batch_size=256):
                pass
            spacy_best = min(spacy_best, time.perf_counter() - started)
            started = time.perf_counter()
            classifier.classify_many(texts)
            batch_best = min(batch_best, time.perf_counter() - started)
        spacy_rate = len(texts) / spacy_best
        batch_rate = len(texts) / batch_best
        results["spacy_only_per_second"] = round(spacy_rate)
        results["batch_per_second"] = round(batch_rate)
        results["batch_share_of_spacy"] = round(batch_rate / spacy_rate, 3)

        inline = texts[:INLINE_CALLS]
        for text in inline[:50]:
            classifier.classify(text)
        timings = []
        for text in inline:
            started = time.perf_counter()
            classifier.classify(text)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        results["inline_p50_ms"] = round(statistics.median(timings), 3)
        results["inline_p95_ms"] = round(timings[int(0.95 * len(timings)) - 1], 3)
        results["inline_max_ms"] = round(timings[-1], 3)
    results["targets"] = TARGETS
    results["met"] = {
        "train_seconds": results["train_seconds"] < TARGETS["train_seconds"],  # type: ignore[operator]
        "batch_per_second": batch_rate >= TARGETS["batch_per_second"],
        "batch_share_of_spacy": batch_rate / spacy_rate >= TARGETS["batch_share_of_spacy"],
        "inline_p95_ms": results["inline_p95_ms"] < TARGETS["inline_p95_ms"],  # type: ignore[operator]
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--skip-training", action="store_true", help="time prediction only (train untimed)"
    )
    args = parser.parse_args()
    results = run(args.corpus, args.seed, args.skip_training)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for key, value in results.items():
        if key not in ("targets", "met"):
            print(f"{key:32} {value}")
    for key, ok in results["met"].items():  # type: ignore[attr-defined]
        print(f"{'target ' + key:32} {'met' if ok else 'MISSED'} ({TARGETS[key]})")


if __name__ == "__main__":
    main()
