"""Finding many phrases in a text at once (Aho-Corasick, pyahocorasick), as whole words, case- and
accent-insensitively: subscription keywords and the tenants' watchlist names both use it.

A phrase edge in an alphabetic script must sit on a word boundary ("data breach" is not found in
"data breaches"); a CJK edge needs none (Chinese and Japanese have no spaces); a Hangul phrase needs a
boundary on its left only (particles attach on the right: 애플에).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Generic, TypeVar

import ahocorasick

T = TypeVar("T")
_ALPHABETIC_BELOW = 0x2E80  # letters and digits below this code point are alphabetic scripts


def normalise(text: str) -> str:
    """Case- and accent-insensitive form: NFKD without combining marks, casefolded, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def _is_hangul(ch: str) -> bool:
    code = ord(ch)
    return 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F


def _needs_left(ch: str) -> bool:
    return ch.isalnum() and (ord(ch) < _ALPHABETIC_BELOW or _is_hangul(ch))


def _needs_right(ch: str) -> bool:
    return ch.isalnum() and ord(ch) < _ALPHABETIC_BELOW


class PhraseFinder(Generic[T]):
    """Which of many phrases occur in a text; each phrase stands for one or more values of type ``T``."""

    def __init__(self, phrases: Iterable[tuple[str, T]]) -> None:
        values: dict[str, list[T]] = {}
        for phrase, value in phrases:
            key = normalise(phrase)
            if key:
                values.setdefault(key, []).append(value)
        self._automaton: ahocorasick.Automaton | None = None
        if values:
            self._automaton = ahocorasick.Automaton()
            for key, found in values.items():
                self._automaton.add_word(key, (key, tuple(found)))
            self._automaton.make_automaton()

    def find(self, text: str) -> set[T]:
        """The values of the phrases found in ``text`` (normalised the same way) on their boundaries."""
        if self._automaton is None:
            return set()
        norm = normalise(text)
        found: set[T] = set()
        for end, (key, values) in self._automaton.iter(norm):
            start = end - len(key) + 1
            if _needs_left(key[0]) and start > 0 and norm[start - 1].isalnum():
                continue
            if _needs_right(key[-1]) and end + 1 < len(norm) and norm[end + 1].isalnum():
                continue
            found.update(values)
        return found
