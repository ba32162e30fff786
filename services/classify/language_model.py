"""py3langid's naive Bayes language model, with its byte automaton walked by compiled code.

py3langid walks the automaton that finds its byte n-gram features one interpreted step per byte, over a
complete table of 9.8 million entries (about 120 µs for the 150 bytes a sample has). Here the same automaton
is walked as its trie and failure links (:mod:`language_trie`, about 1 MB), by compiled code that indexes
bytes without creating an object per step. The features are py3langid's; their scores, float16 values that
are all whole 1/512ths, are summed exactly as integers, where py3langid sums in float32, and the softmax runs
in double precision: the scores agree with py3langid's to about 1e-6, the probabilities to 1e-5, and the
language is the same.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from typing import Final, cast

import numpy as np
import numpy.typing as npt
from mypy_extensions import i64

from services.classify.language_trie import (
    EDGE_TARGET_BYTES,
    FAIL_AT,
    FEATURE_AT,
    NO_FEATURE,
    NODE_BYTES,
    ROOT,
    compact,
)

_LOG1P_COUNTS: Final = 1024  # counts below this take log1p from a table (a sample has about 150 bytes)
# The model's feature scores are float16 log probabilities between -15 and -2, whose exponents make every one a
# whole number of 1/512ths: each is held as that number, two bytes, and the sums are exact in double precision.
_COST_SCALE: Final = 512
_COST_BYTES: Final = 2


def _log1p32(count: int) -> float:
    """log1p of a count in float32, as py3langid computes it."""
    return float(np.log1p(np.float32(count)))


def _u24(data: bytes, at: i64) -> i64:
    """The three-byte little-endian number at ``at``."""
    return i64(data[at]) | (i64(data[at + 1]) << 8) | (i64(data[at + 2]) << 16)


def _costs(scores: npt.NDArray[np.float16]) -> bytes:
    """The feature scores as whole 1/512ths, negated, two little-endian bytes each, a row per feature."""
    costs = -scores.astype(np.float64) * _COST_SCALE
    if not np.array_equal(costs, np.round(costs)) or costs.min() < 0 or costs.max() >= 1 << (8 * _COST_BYTES):
        raise ValueError(f"the language model has feature scores that are not whole 1/{_COST_SCALE}ths below zero")
    return np.ascontiguousarray(costs, dtype="<u2").tobytes()


class LanguageModel:
    """Scores text against the model's languages, restricted to ``languages``."""

    def __init__(self, languages: Sequence[str]) -> None:
        from py3langid.langid import MODEL_DIR, MODEL_FILE
        from py3langid.modelio import load_model

        ptc, pc, classes, next_state, state_row, output = load_model(MODEL_DIR / MODEL_FILE)
        wanted = set(languages)
        unknown = wanted - set(classes)
        if unknown:
            raise ValueError(f"the language model has no {sorted(unknown)}")
        columns = [index for index, label in enumerate(classes) if label in wanted]
        self.languages: list[str] = [classes[index] for index in columns]
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("the language model lists a language twice among those asked for")
        self._costs = _costs(np.asarray(ptc)[:, columns])
        self._row_bytes = len(columns) * _COST_BYTES
        self._priors: list[float] = np.asarray(pc, dtype=np.float32)[columns].tolist()
        trie = compact(next_state, state_row, output)
        self._nodes, self._labels, self._targets = trie.nodes, trie.labels, trie.targets
        # log1p of each count, computed by numpy in float32 as py3langid computes it (so the same values), once:
        # a call then costs no ufunc
        self._log1p: list[float] = np.log1p(np.arange(_LOG1P_COUNTS, dtype=np.float32)).tolist()

    def features(self, data: bytes) -> dict[int, int]:
        """How often each feature occurs in ``data``, in order of first occurrence."""
        nodes = self._nodes
        counts: dict[object, int] = {}
        state: i64 = ROOT
        for index in range(len(data)):
            state = self._move(state, data[index])
            feature = _u24(nodes, state * NODE_BYTES + FEATURE_AT)
            if feature != NO_FEATURE:
                key: object = feature  # boxed once: every dict operation on an int would box it anew
                counts[key] = counts.get(key, 0) + 1
        return cast("dict[int, int]", counts)

    def _move(self, state: i64, byte: i64) -> i64:
        """The state after ``byte``: the trie's edge for it from ``state`` or, failing that, from the state's
        failure link, and so on up to the root."""
        nodes, labels, targets = self._nodes, self._labels, self._targets
        while True:
            at = state * NODE_BYTES
            low, high = _u24(nodes, at), _u24(nodes, at + NODE_BYTES)
            while low < high:  # the state's edges, sorted by byte
                middle = (low + high) >> 1
                label = i64(labels[middle])
                if label == byte:
                    return _u24(targets, middle * EDGE_TARGET_BYTES)
                if label < byte:
                    low = middle + 1
                else:
                    high = middle
            if state == ROOT:
                return ROOT
            state = _u24(nodes, at + FAIL_AT)

    def scores(self, counts: dict[int, int]) -> list[float]:
        """Each language's log prior plus the log likelihood of the feature ``counts``, summed by compiled code
        (py3langid sums in float32: the scores agree to about 1e-6)."""
        costs = self._costs
        row_bytes: i64 = self._row_bytes
        rows_by_count: dict[int, list[bytes]] = {}  # most features occur once: their costs add up as integers
        for feature, count in counts.items():
            row = feature * row_bytes
            rows_by_count.setdefault(count, []).append(costs[row : row + row_bytes])
        groups = [(self._weight(count), b"".join(rows)) for count, rows in rows_by_count.items()]
        scores = []
        for column, prior in enumerate(self._priors):
            total = 0.0
            for weight, block in groups:
                cost: i64 = 0
                at: i64 = column * _COST_BYTES
                end: i64 = len(block)
                while at < end:
                    cost += i64(block[at]) | (i64(block[at + 1]) << 8)
                    at += row_bytes
                total += weight * float(cost)
            scores.append(prior - total / _COST_SCALE)
        return scores

    def _weight(self, count: int) -> float:
        """log1p of a feature's count, in float32 as py3langid computes it."""
        return self._log1p[count] if count < _LOG1P_COUNTS else _log1p32(count)

    def classify(self, text: str) -> tuple[str, float]:
        """The most likely language of ``text`` and its probability among the languages asked for."""
        if text.isupper():
            text = text.lower()
        data = unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")
        counts = self.features(data)
        if not counts:  # nothing to go on: every language equally likely
            return self.languages[0], 1.0 / len(self.languages)
        scores = self.scores(counts)
        # the probability of the best language under a softmax at temperature sqrt(bytes), as py3langid's
        scale = 1.0 / math.sqrt(len(data))
        best = max(range(len(scores)), key=scores.__getitem__)
        top = scores[best]
        total = 0.0
        for score in scores:
            total += math.exp((score - top) * scale)
        return self.languages[best], 1.0 / total
