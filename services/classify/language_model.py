"""py3langid's naive Bayes language model, with its byte automaton walked by compiled code.

py3langid walks the automaton that finds its byte n-gram features one interpreted step per byte, over a
table of 9.8 million entries held in an ``array`` (about 120 µs for the 150 bytes a sample has). Here the
same table is held as bytes, three per entry, which compiled code indexes without creating an object per
step. The scores are then py3langid's, computed the same way (the same features in the same order, the
same float32 arithmetic); only the final softmax runs in double precision, so the probabilities agree with
py3langid's to about 1e-6 and the language is the same.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from typing import Final

import numpy as np

_ENTRY_BYTES: Final = 3  # a state number fits in 24 bits (the model has about 105,000)
_ROW_BYTES: Final = 2  # a row number fits in 16 bits (the model has about 38,000 distinct rows)
_ALPHABET: Final = 256
_ROW_SIZE: Final = _ALPHABET * _ENTRY_BYTES
_LOG1P_COUNTS: Final = 1024  # counts below this take log1p from a table (a sample has about 150 bytes)


def _log1p32(count: int) -> float:
    """log1p of a count in float32, as py3langid computes it."""
    return float(np.log1p(np.float32(count)))


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
        # float32 once here: py3langid casts its float16 rows at every call, to the same values
        self._feature_scores = np.ascontiguousarray(np.asarray(ptc)[:, columns], dtype=np.float32)
        self._prior_scores = np.asarray(pc)[columns].astype(np.float32)
        states = np.frombuffer(next_state, dtype=np.uint32)
        if int(states.max()) >= 1 << (8 * _ENTRY_BYTES):
            raise ValueError("the language model has more states than three bytes can number")
        packed = states.astype("<u4").view(np.uint8).reshape(-1, 4)[:, :_ENTRY_BYTES]
        self._next_state: bytes = packed.tobytes()
        rows = np.asarray(state_row, dtype=np.int64)
        if int(rows.max()) >= 1 << (8 * _ROW_BYTES):
            raise ValueError("the language model has more rows than two bytes can number")
        # The row of each state, two bytes each (200 kB, which stays in cache, where a list of ints would
        # send every step through a pointer to an int object)
        self._state_row: bytes = rows.astype("<u2").tobytes()
        self._feature: list[int | None] = [None if feature < 0 else feature for feature in output]
        # log1p of each count, computed by numpy in float32 as py3langid computes it (so the same values), once:
        # a call then costs no ufunc
        self._log1p: list[float] = np.log1p(np.arange(_LOG1P_COUNTS, dtype=np.float32)).tolist()

    def features(self, data: bytes) -> dict[int, int]:
        """How often each feature occurs in ``data``, in order of first occurrence."""
        table, state_row, feature_of = self._next_state, self._state_row, self._feature
        counts: dict[int, int] = {}
        state = 0
        for index in range(len(data)):
            row = state_row[2 * state] | (state_row[2 * state + 1] << 8)
            at = row * _ROW_SIZE + data[index] * _ENTRY_BYTES
            state = table[at] | (table[at + 1] << 8) | (table[at + 2] << 16)
            feature = feature_of[state]
            if feature is not None:  # an object already: counting it creates none
                counts[feature] = counts.get(feature, 0) + 1
        return counts

    def classify(self, text: str) -> tuple[str, float]:
        """The most likely language of ``text`` and its probability among the languages asked for."""
        if text.isupper():
            text = text.lower()
        data = unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")
        counts = self.features(data)
        if not counts:  # nothing to go on: every language equally likely
            return self.languages[0], 1.0 / len(self.languages)
        present = np.fromiter(counts, dtype=np.intp, count=len(counts))
        logs = self._log1p
        weights = np.array(
            [logs[count] if count < _LOG1P_COUNTS else _log1p32(count) for count in counts.values()], dtype=np.float32
        )
        scores: list[float] = (weights @ self._feature_scores[present] + self._prior_scores).tolist()
        # the probability of the best language under a softmax at temperature sqrt(bytes), as py3langid's
        scale = 1.0 / math.sqrt(len(data))
        best = max(range(len(scores)), key=scores.__getitem__)
        top = scores[best]
        total = 0.0
        for score in scores:
            total += math.exp((score - top) * scale)
        return self.languages[best], 1.0 / total
