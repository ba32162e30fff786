"""Text folding for matching: NFKC, case folding, Latin accent folding, full/half-width, traditional Chinese.

Punctuation and white space fold to a space, so that word boundaries are spaces. Every character folds on
its own (so offsets survive): most fold to exactly one character, and a text made
only of those keeps its offsets unchanged. The few that expand or vanish (ß -> ss, ﬁ -> fi, ㈱ -> (株),
combining marks) are handled by a piecewise offset map back to the original text.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path

T2S_FILE = Path(__file__).resolve().parent / "kb" / "zh-t2s.tsv"


def _is_latin(text: str) -> bool:
    return all(ord(ch) < 0x370 or 0x1E00 <= ord(ch) < 0x1F00 for ch in text)


def _load_t2s() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in T2S_FILE.read_text(encoding="utf-8").splitlines():
        traditional, _, simplified = line.partition("\t")
        if traditional and simplified:
            table[traditional] = simplified
    return table


def fold_char(ch: str, t2s: dict[str, str]) -> str:
    """The folded form of one character (possibly empty or several characters)."""
    if 0x300 <= ord(ch) < 0x370:  # combining diacritics of decomposed Latin text
        return ""
    folded = unicodedata.normalize("NFKC", ch).casefold()
    if len(folded) == 1 and folded in t2s:
        return t2s[folded]
    if folded and _is_latin(folded) and not folded.isascii():
        stripped = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
        folded = stripped if stripped or not unicodedata.combining(ch) else ""
    # Punctuation and spaces all become one space: word boundaries are then spaces for the automaton.
    return "".join(c if c.isalnum() else " " for c in folded)


@dataclass(frozen=True)
class _Tables:
    translate: dict[int, str]  # every BMP character (a hit is faster than a miss), then the rest that change
    special: frozenset[str]  # characters whose folded form is not exactly one character


@cache
def _tables() -> _Tables:
    """Scan every code point once (~0.5 s) and keep those that fold to something else."""
    t2s = _load_t2s()
    translate: dict[int, str] = {code: chr(code) for code in range(0x10000)}
    special: set[str] = set()
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code < 0xE000 or 0x31350 <= code < 0xE0000:
            continue
        ch = chr(code)
        if unicodedata.category(ch) == "Cn":
            continue
        folded = fold_char(ch, t2s)
        if folded != ch:
            translate[code] = folded
        if len(folded) != 1:
            special.add(ch)
    return _Tables(translate, frozenset(special))


@cache
def _special_pattern() -> re.Pattern[str]:
    ranges: list[list[int]] = []
    for code in sorted(map(ord, _tables().special)):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    parts = (re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)
    return re.compile("[" + "".join(parts) + "]")


def warm_up() -> None:
    """Build the folding tables now rather than on the first call."""
    _tables()


@dataclass(frozen=True)
class Normalised:
    """A folded text and the map from its offsets back to the original text's."""

    original: str
    text: str
    # Segment starts in the folded text and in the original; ``runs[i]`` says whether segment i maps 1:1.
    norm_starts: tuple[int, ...] = (0,)
    orig_starts: tuple[int, ...] = (0,)
    runs: tuple[bool, ...] = (True,)

    def to_original(self, offset: int) -> int:
        """The original offset of a folded offset (an offset inside an expanded character maps past it)."""
        if len(self.runs) == 1:
            return offset
        k = bisect_right(self.norm_starts, offset) - 1
        start, orig = self.norm_starts[k], self.orig_starts[k]
        if self.runs[k]:
            return orig + offset - start
        return orig if offset == start else orig + 1

    def to_folded(self, offset: int) -> int:
        """The folded offset of an original offset (inside an expanded character: its start)."""
        if len(self.runs) == 1:
            return offset
        k = bisect_right(self.orig_starts, offset) - 1
        start, orig = self.norm_starts[k], self.orig_starts[k]
        return start + offset - orig if self.runs[k] else start

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of a folded span."""
        if len(self.runs) == 1:
            return start, end
        return self.to_original(start), self.to_original(end)


def fold(text: str) -> str:
    """The folded form of a text, without offsets (for patterns and comparisons)."""
    return text.translate(_tables().translate)


def normalise(text: str) -> Normalised:
    """Fold a text for matching and keep the way back to its original offsets."""
    tables = _tables()
    folded = text.translate(tables.translate)
    if text.isascii() or tables.special.isdisjoint(text):  # ASCII never expands or vanishes
        return Normalised(text, folded)
    norm_starts: list[int] = []
    orig_starts: list[int] = []
    runs: list[bool] = []
    norm_pos = orig_pos = 0
    for match in _special_pattern().finditer(text):
        if match.start() > orig_pos:
            norm_starts.append(norm_pos)
            orig_starts.append(orig_pos)
            runs.append(True)
            norm_pos += match.start() - orig_pos
        norm_starts.append(norm_pos)
        orig_starts.append(match.start())
        runs.append(False)
        norm_pos += len(tables.translate.get(ord(match.group()), match.group()))
        orig_pos = match.end()
    norm_starts.append(norm_pos)
    orig_starts.append(orig_pos)
    runs.append(True)
    return Normalised(text, folded, tuple(norm_starts), tuple(orig_starts), tuple(runs))
