"""Scores of predicted themes against gold themes: accuracy, macro-F1 over the themes
present in the gold labels, per-theme precision/recall/F1/support, costliest confusions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sklearn.metrics import accuracy_score, precision_recall_fscore_support

TOP_CONFUSIONS = 10


def score(
    gold: Sequence[str],
    predicted: Sequence[str | None],
    confidence: Sequence[float] | None = None,
    top_confusions: int = TOP_CONFUSIONS,
) -> dict[str, Any]:
    """A JSON-ready report. A missing prediction (non-English text, no theme) counts as
    wrong and is shown as ``"none"``."""
    pred = [p if p is not None else "none" for p in predicted]
    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, pred, labels=labels, zero_division=0
    )
    per_theme = {
        label: {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    confusions = Counter((g, p) for g, p in zip(gold, pred, strict=True) if g != p)
    report: dict[str, Any] = {
        "n": len(gold),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "macro_f1": round(float(sum(f1) / len(f1)), 4) if len(f1) else 0.0,
        "macro_f1_over": "themes present in the gold labels",
        "labels_in_gold": labels,
        "per_theme": per_theme,
        "confusions": [
            {"gold": g, "predicted": p, "count": n}
            for (g, p), n in confusions.most_common(top_confusions)
        ],
    }
    if confidence is not None:
        report["mean_confidence"] = round(sum(confidence) / max(len(confidence), 1), 4)
    return report
