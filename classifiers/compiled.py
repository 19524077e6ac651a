"""A fast, read-only form of a fitted :class:`ThemeModel` for prediction.

scikit-learn validates its input on every call, which costs milliseconds when a web request
classifies one text. At load time this module lifts out the few arrays that prediction
needs (the TF-IDF vocabulary and idf weights, the linear coefficients and the sigmoid
calibration parameters) and computes the same numbers with plain numpy. The test suite
checks that it agrees with the scikit-learn objects it came from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression

from classifiers.model import ThemeModel
from classifiers.preprocess import Processed

Matrix = NDArray[np.float64]
Columns = NDArray[np.int64]


class CompiledModel:
    """Predicts exactly what its :class:`ThemeModel` predicts, without per-call overhead."""

    def __init__(self, model: ThemeModel) -> None:
        self.model = model
        self.labels = model.labels
        words = model.parts["words"]
        self._vocabulary: dict[str, int] = dict(words.vocabulary_)
        self._idf = np.asarray(words.idf_, dtype=np.float64)
        self._ngrams: tuple[int, int] = tuple(words.ngram_range)
        self._sublinear = bool(words.sublinear_tf)
        self._has_chars = "chars" in model.parts
        self._word_columns = len(self._idf)
        classifier = model.parts["classifier"]
        self._softmax = isinstance(classifier, LogisticRegression)
        if isinstance(classifier, CalibratedClassifierCV):
            calibrated = classifier.calibrated_classifiers_[0]
            linear = calibrated.estimator
            self._cal_a = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
            self._cal_b = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)
        else:
            linear = classifier
            self._cal_a = self._cal_b = np.zeros(0)
        coef = np.asarray(linear.coef_, dtype=np.float64)
        intercept = np.asarray(linear.intercept_, dtype=np.float64)
        if coef.shape[0] == 1:  # binary: one column for the positive class
            coef = np.vstack([-coef, coef])
            intercept = np.concatenate([-intercept, intercept])
        self._coef_t = np.ascontiguousarray(coef.T)
        self._intercept = intercept
        self._rule_offset = coef.shape[1] - model.rule_columns
        self._rule_weight = model.options.rule_weight

    def _columns(self, lemmas: str) -> Counter[int]:
        """Vocabulary column -> count of the word n-grams of a lemma string, built the way
        TfidfVectorizer builds them (``token_pattern`` ``\\S+``, no lower-casing)."""
        tokens = lemmas.split()
        low, high = self._ngrams
        grams: list[str] = tokens if low == 1 else []
        for n in range(max(low, 2), high + 1):
            grams = grams + [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        lookup = self._vocabulary.get
        return Counter(column for column in map(lookup, grams) if column is not None)

    def _weights(self, columns: list[int], counts: list[int]) -> NDArray[np.float64]:
        """TF-IDF values of one row, L2-normalised as TfidfTransformer does."""
        tf = np.asarray(counts, dtype=np.float64)
        if self._sublinear:
            tf = np.log(tf) + 1.0
        values = tf * self._idf[columns]
        norm = float(np.sqrt(values @ values))
        return values / norm if norm > 0 else values

    def _row(self, item: Processed) -> tuple[list[int], NDArray[np.float64]]:
        counts = self._columns(item.lemmas)
        columns = list(counts)
        values = self._weights(columns, list(counts.values()))
        if item.rule_hits:
            columns.extend(self._rule_offset + column for column in item.rule_hits)
            rules = [self._rule_weight * min(count, 3) for count in item.rule_hits.values()]
            values = np.concatenate([values, rules])
        return columns, values

    def _unigram_counts(self, processed: Sequence[Processed]) -> tuple[Matrix, Columns, Columns]:
        """CSR parts for unigrams: every token of the batch looked up in one pass (-1 when
        out of vocabulary), rows cut with numpy, repeats left for scipy to add up."""
        split = [item.lemmas.split() for item in processed]
        lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
        looked_up = np.fromiter(
            map(self._vocabulary.get, chain.from_iterable(split), repeat(-1)),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        known = looked_up >= 0
        row_of = np.repeat(np.arange(len(split)), lengths)[known]
        per_row = np.bincount(row_of, minlength=len(split))
        indptr = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(per_row)])
        indices = looked_up[known]
        return np.ones(len(indices)), indices, indptr

    def _ngram_counts(self, processed: Sequence[Processed]) -> tuple[Matrix, Columns, Columns]:
        indptr = [0]
        indices: list[int] = []
        repeats: list[int] = []
        for item in processed:
            row = self._columns(item.lemmas)
            indices.extend(row)
            repeats.extend(row.values())
            indptr.append(len(indices))
        return (
            np.asarray(repeats, dtype=np.float64),
            np.asarray(indices, dtype=np.int64),
            np.asarray(indptr, dtype=np.int64),
        )

    def _matrix(self, processed: Sequence[Processed]) -> sp.csr_matrix:
        """All rows at once: counts into one CSR matrix, then tf, idf and norms vectorised."""
        if self._has_chars:
            return self.model.features(processed)
        if self._ngrams == (1, 1):
            counts, indices, indptr = self._unigram_counts(processed)
        else:
            counts, indices, indptr = self._ngram_counts(processed)
        shape = (len(processed), self._word_columns)
        words = sp.csr_matrix((counts, indices, indptr), shape=shape)
        words.sum_duplicates()
        if self._sublinear:
            words.data = np.log(words.data) + 1.0
        words.data *= self._idf[words.indices]
        norms = np.sqrt(np.asarray(words.multiply(words).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        words.data /= np.repeat(norms, np.diff(words.indptr))
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for row_index, item in enumerate(processed):
            for column, count in item.rule_hits.items():
                rows.append(row_index)
                cols.append(column)
                vals.append(self._rule_weight * min(count, 3))
        rule_shape = (len(processed), self._coef_t.shape[0] - self._rule_offset)
        rules = sp.csr_matrix((vals, (rows, cols)), shape=rule_shape, dtype=np.float64)
        return sp.hstack([words, rules], format="csr")

    def _probabilities(self, decision: Matrix) -> tuple[Matrix, Matrix]:
        if self._softmax:
            shifted = decision - decision.max(axis=1, keepdims=True)
            exp = np.exp(shifted)
            proba = exp / exp.sum(axis=1, keepdims=True)
            return proba, proba
        if self._cal_a.size == 0:  # an uncalibrated linear model: squash the margins
            ovr = expit(decision)
        else:
            ovr = expit(-(self._cal_a * decision + self._cal_b))
        total = ovr.sum(axis=1, keepdims=True)
        uniform = np.full_like(ovr, 1.0 / ovr.shape[1])
        proba = np.divide(ovr, total, out=uniform, where=total > 0)
        return proba, ovr

    def predict(self, processed: Sequence[Processed]) -> tuple[Matrix, Matrix]:
        """Normalised and one-vs-rest probabilities, as :meth:`ThemeModel.predict`."""
        if not processed:
            empty = np.zeros((0, len(self.labels)))
            return empty, empty
        if len(processed) == 1 and not self._has_chars:
            columns, values = self._row(processed[0])
            decision = values @ self._coef_t[columns] + self._intercept
            return self._probabilities(decision[np.newaxis, :])
        decision = np.asarray(self._matrix(processed) @ self._coef_t) + self._intercept
        return self._probabilities(decision)
