"""New topics: groups of concerns in a period that fit no theme well.

Candidates are the period's concerns the classifier was unsure of (``needs_review``) or
put in ``other``, read by their redacted text only (at most ``MAX_TEXTS``, the latest).
Texts become TF-IDF vectors (words and word pairs, English stop words removed) and are
grouped by average-linkage agglomerative clustering on cosine distance, cut at
``DISTANCE_THRESHOLD``: deterministic, no random seed involved. Groups of at least
``MIN_SIZE`` concerns are kept, each shown by its top terms (highest mean TF-IDF) and the
concerns closest to its centre. The job writes the period's ``NewTopic`` rows in one
transaction (delete, insert).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import Concern, NewTopic
from jobs.framework import JobContext, JobResult, Period

MAX_TEXTS = 3000
MIN_SIZE = 3
DISTANCE_THRESHOLD = 0.8
TOP_TERMS = 5
EXAMPLES = 5
COMMON_WORD_SHARE = 0.9
COMMON_WORD_MIN_TEXTS = 20
WORD_PATTERN = r"(?u)\b[^\W\d_]{3,}\b"
EXCLUDED_STATUSES = ("duplicate", "quarantined")


@dataclass(frozen=True)
class Candidate:
    id: int
    district: str
    text: str


@dataclass(frozen=True)
class Topic:
    top_terms: list[str]
    concern_ids: list[int]
    example_ids: list[int]
    district: str | None


def _common_words(texts: list[str]) -> set[str]:
    """Words in nearly every text (a shared prefix, say): they tell no topic apart.

    With only a few texts every shared word matters, so none is dropped.
    """
    if len(texts) < COMMON_WORD_MIN_TEXTS:
        return set()
    counter = CountVectorizer(token_pattern=WORD_PATTERN, lowercase=True, binary=True)
    try:
        presence = counter.fit_transform(texts)
    except ValueError:
        return set()
    share = np.asarray(presence.sum(axis=0)).ravel() / len(texts)
    words = counter.get_feature_names_out()
    return {str(words[i]) for i in np.flatnonzero(share > COMMON_WORD_SHARE)}


def find_topics(candidates: list[Candidate]) -> list[Topic]:
    """Cluster the candidates' texts; largest topics first, ties by their first concern."""
    if len(candidates) < MIN_SIZE:
        return []
    texts = [c.text for c in candidates]
    vectorizer = TfidfVectorizer(
        stop_words=sorted(ENGLISH_STOP_WORDS | _common_words(texts)),
        ngram_range=(1, 2),
        min_df=2,
        token_pattern=WORD_PATTERN,
        sublinear_tf=True,
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no term appears in two texts: nothing can group
        return []
    vectors: NDArray[np.float64] = matrix.toarray()
    similarity = np.clip(vectors @ vectors.T, 0.0, 1.0)
    distance = 1.0 - similarity
    np.fill_diagonal(distance, 0.0)
    labels = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=DISTANCE_THRESHOLD,
    ).fit_predict(distance)
    terms = vectorizer.get_feature_names_out()
    topics: list[Topic] = []
    for label in sorted({int(x) for x in labels}):
        members = np.flatnonzero(labels == label)
        if len(members) < MIN_SIZE:
            continue
        member_vectors = vectors[members]
        if not member_vectors.any():
            continue  # texts with no shared words are not a topic
        centre = member_vectors.mean(axis=0)
        top = [str(terms[i]) for i in np.argsort(-centre, kind="stable")[:TOP_TERMS] if centre[i]]
        closeness = member_vectors @ centre
        nearest = members[np.argsort(-closeness, kind="stable")[:EXAMPLES]]
        districts = {candidates[i].district for i in members}
        topics.append(
            Topic(
                top_terms=top,
                concern_ids=sorted(candidates[i].id for i in members),
                example_ids=[candidates[i].id for i in nearest],
                district=districts.pop() if len(districts) == 1 else None,
            )
        )
    topics.sort(key=lambda t: (-len(t.concern_ids), t.concern_ids[0]))
    return topics


def load_candidates(session: Session, period: Period) -> list[Candidate]:
    start, end = period.bounds_utc()
    rows = session.execute(
        select(Concern.id, Concern.district, Concern.text_redacted)
        .where(
            Concern.submitted_at >= start,
            Concern.submitted_at < end,
            Concern.text_redacted.is_not(None),
            Concern.duplicate_of_id.is_(None),
            Concern.status.not_in(EXCLUDED_STATUSES),
            or_(Concern.needs_review.is_(True), Concern.theme == "other"),
        )
        .order_by(Concern.submitted_at.desc(), Concern.id.desc())
        .limit(MAX_TEXTS)
    )
    candidates = [Candidate(id, district, text or "") for id, district, text in rows]
    return sorted(candidates, key=lambda c: c.id)


def find_new_topics(session: Session, period: Period, context: JobContext) -> JobResult:
    """The job: store the period's new topics."""
    candidates = load_candidates(session, period)
    topics = find_topics(candidates)
    session.rollback()
    with write_transaction(session):
        session.execute(
            delete(NewTopic).where(
                NewTopic.grain == period.grain, NewTopic.period_start == period.start
            )
        )
        session.add_all(
            NewTopic(
                grain=period.grain,
                period_start=period.start,
                district=topic.district,
                top_terms=topic.top_terms,
                size=len(topic.concern_ids),
                example_concern_ids=topic.example_ids,
                detected_at=context.now,
            )
            for topic in topics
        )
    detail: dict[str, Any] = {
        "candidates": len(candidates),
        "topics": [" ".join(t.top_terms[:3]) for t in topics],
    }
    return JobResult(rows=len(topics), detail=detail)
