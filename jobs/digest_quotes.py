"""Representative quotes: a theme's concerns closest to the centre of that theme's texts.

Only redacted text is read. Among the period's concerns with the theme, in the chosen
district, neighbourhood and channel if any (at most ``MAX_TEXTS``, the latest), texts become
TF-IDF vectors; the centroid is their mean and the quotes are the texts with the highest
cosine similarity to it, ties broken by id.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.models import Concern
from jobs.framework import Period

MAX_TEXTS = 2000
MAX_LENGTH = 300
EXCLUDED_STATUSES = ("duplicate", "quarantined")


def shorten(text: str, limit: int = MAX_LENGTH) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def closest_to_centre(texts: list[tuple[int, str]], count: int) -> list[tuple[int, str]]:
    """The ``count`` texts nearest the centroid of all of them (deterministic)."""
    if len(texts) <= count:
        return sorted(texts)
    try:
        matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(
            [t for _, t in texts]
        )
    except ValueError:  # only stop words: any will do, so take the earliest
        return sorted(texts)[:count]
    centre = np.asarray(matrix.mean(axis=0)).ravel()
    scores = np.asarray(matrix @ centre).ravel()
    order = sorted(range(len(texts)), key=lambda i: (-round(float(scores[i]), 9), texts[i][0]))
    return [texts[i] for i in order[:count]]


def representative_quotes(
    session: Session,
    period: Period,
    theme: str,
    count: int,
    *,
    district: str | None = None,
    neighbourhood: str | None = None,
    channel: str | None = None,
) -> list[tuple[int, str]]:
    start, end = period.bounds_utc()
    query = select(Concern.id, Concern.text_redacted).where(
        Concern.submitted_at >= start,
        Concern.submitted_at < end,
        Concern.theme == theme,
        Concern.text_redacted.is_not(None),
        Concern.duplicate_of_id.is_(None),
        Concern.status.not_in(EXCLUDED_STATUSES),
    )
    if district:
        query = query.where(Concern.district == district)
    if neighbourhood:
        query = query.where(Concern.neighbourhood == neighbourhood)
    if channel:
        query = query.where(Concern.channel == channel)
    rows = session.execute(
        query.order_by(Concern.submitted_at.desc(), Concern.id.desc()).limit(MAX_TEXTS)
    )
    texts: list[tuple[int, str]] = []
    seen: set[str] = set()
    for i, text in rows:
        key = " ".join((text or "").casefold().split())
        if text and key not in seen:  # the same words twice would waste a quote
            seen.add(key)
            texts.append((int(i), text))
    return [(i, shorten(t)) for i, t in closest_to_centre(texts, count)]
