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
from collections.abc import Iterable
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


# Punctuation of Latin-script news outside Latin-1 (quotes, dashes, bullets, the euro sign; not the ellipsis,
# which folds to three spaces): each folds to one space, so replacing it first leaves most Latin-script texts
# inside Latin-1.
_TYPOGRAPHY = "\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u20ac\u2022\u2039\u203a\u2032\u2212"


@dataclass(frozen=True)
class _Tables:
    translate: dict[int, str]  # every BMP character (a hit is faster than a miss), then the rest that change
    bmp: list[str]  # the same for the BMP, as a list: str.translate indexes it faster than it hashes into a dict
    latin1: bytes  # the folded byte of each Latin-1 character that folds to one Latin-1 character
    latin1_unsafe: tuple[bytes, ...]  # the Latin-1 characters that do not (µ -> μ, ß -> ss, ½)
    special_pattern: re.Pattern[str]  # any character whose folded form is not exactly one character
    # The characters that fold to nothing (combining marks, zero-width spaces): a few ranges, searched much
    # faster than the 1,400 characters of ``special_pattern``.
    vanishing_pattern: re.Pattern[str]


@cache
def _tables() -> _Tables:
    """The folding tables, built on the first call."""
    return _build_tables()


def _build_tables() -> _Tables:
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
    latin1 = bytearray(range(256))
    unsafe: list[bytes] = []
    for code in range(256):
        folded = translate.get(code, chr(code))
        if len(folded) == 1 and ord(folded) < 256:
            latin1[code] = ord(folded)
        else:
            unsafe.append(bytes([code]))
    bmp = [translate[code] for code in range(0x10000)]
    vanishing = _char_class(ch for ch in special if translate[ord(ch)] == "")
    return _Tables(translate, bmp, bytes(latin1), tuple(unsafe), _char_class(special), vanishing)


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _translate(text: str, tables: _Tables) -> str:
    """``str.translate`` through the BMP list, or the dict for a text with characters beyond the BMP."""
    return text.translate(tables.bmp if _ASTRAL.search(text) is None else tables.translate)


def _fold_latin1(text: str, tables: _Tables) -> str | None:
    """The folded form of a Latin-script text through a 256-byte table, or None when the text is not Latin-1
    once its typography is replaced. ``str.translate`` looks every character of a non-ASCII text up in a
    dict (30 µs for 600 characters of French); this takes 5."""
    # "ignore" drops what Latin-1 cannot hold without raising (an exception per non-Latin-1 text cost more)
    raw = text.encode("latin-1", "ignore")
    if len(raw) != len(text):
        if 2 * len(raw) < len(text):
            return None  # CJK, Cyrillic ...: mostly another script (str.translate folds it the same way)
        for mark in _TYPOGRAPHY:
            if mark in text:
                text = text.replace(mark, " ")
        raw = text.encode("latin-1", "ignore")
        if len(raw) != len(text):
            return None
    if any(unsafe in raw for unsafe in tables.latin1_unsafe):
        return None
    return raw.translate(tables.latin1).decode("latin-1")


def _fold(text: str, tables: _Tables) -> tuple[str, bool]:
    """The folded form of a text, by the fastest way that gives the same result, and whether that way
    proves every character folded to exactly one (ASCII, and Latin-1 without its unsafe characters, do).
    German's ß, the one unsafe character common in news, is written as the "ss" it folds to first."""
    if text.isascii():
        return text.encode("ascii").translate(tables.latin1).decode("ascii"), True
    sharp = "ß" in text
    folded = _fold_latin1(text.replace("ß", "ss") if sharp else text, tables)
    return (_translate(text, tables), False) if folded is None else (folded, not sharp)


def _char_class(chars: Iterable[str]) -> re.Pattern[str]:
    """A regular expression matching any one of ``chars``, written as ranges."""
    ranges: list[list[int]] = []
    for code in sorted(map(ord, chars)):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    parts = (re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)
    return re.compile("[" + "".join(parts) + "]")


def warm_up() -> None:
    """Build the folding tables now rather than on the first call."""
    _tables()


@dataclass(frozen=True, slots=True)
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
    return _fold(text, _tables())[0]


def normalise(text: str) -> Normalised:
    """Fold a text for matching and keep the way back to its original offsets."""
    tables = _tables()
    folded, one_for_one = _fold(text, tables)
    # One for one when the fast ways prove it, or when the length is kept and no character vanishes.
    if one_for_one or (len(folded) == len(text) and tables.vanishing_pattern.search(text) is None):
        return Normalised(text, folded)
    norm_starts: list[int] = []
    orig_starts: list[int] = []
    runs: list[bool] = []
    norm_pos = orig_pos = 0
    for match in tables.special_pattern.finditer(text):
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
