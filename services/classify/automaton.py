"""One Aho-Corasick automaton over every folded name and trigger of the knowledge base.

Alphabetic patterns must sit on word boundaries (a trailing ``*`` in a lexicon lifts the right one, for
inflected forms); CJK patterns need none; Hangul patterns need only the left one (particles attach on the
right: 애플에). Short acronyms (WEKO, CAC, F.D.A.) match only in their own case, or title case from four
letters on (Weko, Cade), so "sec" or "cac" in running text are no hits.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

import ahocorasick

from services.classify.german import compound_head, declined
from services.classify.kb import KnowledgeBase
from services.classify.normalise import Normalised, fold

Kind = str  # "regulator" | "company" | "product" | "country" | "action" | "cue"
SEPARATOR = "…"  # between the parts of a separable verb in a lexicon: "ruft … zurück", "keurt … goed"


@dataclass(frozen=True, slots=True)
class Entry:
    """What a pattern stands for."""

    kind: Kind
    ref: str  # regulator or company id, country code, action type or cue key
    alias: str  # the knowledge-base form that produced the pattern
    exact: str | None = None  # the case the original text must show (short acronyms)
    stem: bool = False  # any continuation allowed on the right
    lang: str | None = None  # lexicon language (actions and cues)


@dataclass(slots=True)
class Hit:
    """A pattern found in a folded text: [start, end) in folded offsets."""

    start: int
    end: int
    entries: tuple[Entry, ...]


def script_of(ch: str) -> str:
    """'w' Latin-like letters and digits, 'h' Hangul, 'c' CJK and kana, '' anything else."""
    if not ch.isalnum():
        return ""
    code = ord(ch)
    if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "h"
    return "w" if code < 0x2E80 else "c"


@cache  # asked about knowledge-base forms only, a bounded set
def is_acronym(name: str) -> bool:
    """A short all-capitals name (WEKO, CAC, UPS, F.D.A.) that must keep its case to count."""
    letters = name.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 5 and " " not in name and sum(c.isupper() for c in letters) >= 2


def dotted(acronym: str) -> str:
    """F.D.A. for FDA."""
    return "".join(f"{letter}." for letter in acronym)


_WORD_LIMIT = "\u2e80"  # letters and digits below this are alphabetic scripts ("w")
_BEYOND_ALPHABETIC = re.compile("[\u2e80-\U0010ffff]")  # CJK, kana, Hangul and the rest beyond them


def _edge(ch: str) -> int:
    """Boundary a pattern edge needs: 1 alphabetic word boundary, 2 Hangul (left only), 0 none (CJK, punctuation)."""
    kind = script_of(ch)
    return 1 if kind == "w" else 2 if kind == "h" else 0


# Kana, CJK ideographs (with the extension A block and the compatibility ones) and Hangul syllables
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x9FFF), (0xF900, 0xFAFF), (0xAC00, 0xD7A3))
_CJK_CHARS = "".join(f"{chr(low)}-{chr(high)}" for low, high in _CJK_RANGES)
# Latin runs that touch CJK text ("14款app被通报"): no space marks their edges, so they are matched again alone.
_CJK_ANY = re.compile(f"[{_CJK_CHARS}]")
_LATIN_ANY = re.compile("[a-z]")
_LETTER_ANY = re.compile(r"[^\W\d_]")  # a letter of any script (runs beside CJK hold no CJK)
_NOT_CJK_RUN = re.compile(f"[^{_CJK_CHARS}]+")  # in a text with CJK, every such run touches CJK text
_NON_CJK_LETTERS = re.compile(rf"[^\W\d_{_CJK_CHARS}]+")  # starts with a character set: a fast scan


def _is_cjk(ch: str) -> bool:
    """Whether a character is one of ``_CJK_CHARS``."""
    code = ord(ch)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _letter_runs(folded: str) -> list[tuple[int, int]]:
    """The runs without CJK that hold a letter, as (start, end): found from their letters, so that the many
    runs of punctuation and digits between CJK words cost no match each."""
    runs: list[tuple[int, int]] = []
    end = 0
    length = len(folded)
    for letters in _NON_CJK_LETTERS.finditer(folded):
        start = letters.start()
        if start < end:
            continue  # inside the run just found
        while start > 0 and not _is_cjk(folded[start - 1]):
            start -= 1
        end = letters.end()
        while end < length and not _is_cjk(folded[end]):
            end += 1
        runs.append((start, end))
    return runs


@dataclass(frozen=True, slots=True)
class _Payload:
    """What the automaton reports for one pattern: its length, its boundary spaces, its entries, whether case
    matters, whether it is a stem."""

    length: int
    left: int
    right: int
    entries: tuple[Entry, ...]
    exact: bool
    stem: bool


def _payload(key: str, entries: tuple[Entry, ...]) -> _Payload:
    """The payload of one pattern."""
    return _Payload(
        len(key), int(key.startswith(" ")), int(key.endswith(" ")), entries,
        any(entry.exact is not None for entry in entries), not key.endswith(" ") and _edge(key[-1]) == 1,
    )  # fmt: skip


class Automaton:
    """The compiled patterns; :meth:`find` lists every hit that respects boundaries and case rules.

    Folded text has a space wherever it had punctuation or white space, and the automaton scans it with a
    space at each end, so a pattern that needs a word boundary is stored with a space on that side: it
    cannot match inside a word, and no boundary needs checking afterwards. The automaton is pyahocorasick's;
    it reports every match, overlapping ones included.

    pyahocorasick looks each character up among a node's children one by one, and the root has a child for
    almost every CJK character that starts a name (about 950), which every letter of a Latin text that
    leaves a word is compared with. A text without CJK is therefore scanned by a second automaton holding only
    the patterns without CJK: the same hits in the same order (no other pattern can match such a text), four
    times faster.
    """

    def __init__(self, patterns: dict[str, list[Entry]]) -> None:
        keys = list(patterns)
        self._automaton = ahocorasick.Automaton()
        self._alphabetic = ahocorasick.Automaton()  # the patterns without CJK, for texts without CJK
        for key in keys:
            payload = _payload(key, tuple(patterns[key]))
            self._automaton.add_word(key, payload)
            if _BEYOND_ALPHABETIC.search(key) is None:
                self._alphabetic.add_word(key, payload)
        self._automaton.make_automaton()
        self._alphabetic.make_automaton()
        self.size = len(patterns)
        # Names made only of digits (1&1 folds to "1 1"): a run of digits beside CJK text is scanned again
        # only when it holds one of them.
        self._digit_forms = tuple(key.strip() for key in keys if key.strip() and not _LETTER_ANY.search(key))

    def _scan(self, text: Normalised, scanned: str, starts: list[int], shifts: list[int]) -> list[Hit]:
        """Hits in ``scanned``: pieces of the folded text, each starting at ``starts[i]`` of ``scanned`` and
        at ``starts[i] + shifts[i]`` of the folded text."""
        folded = text.text
        length = len(folded)
        hits: list[Hit] = []
        shift = shifts[0]
        automaton = self._alphabetic if _BEYOND_ALPHABETIC.search(scanned) is None else self._automaton
        for last, payload in automaton.iter(scanned):
            end = last + 1
            start = end - payload.length
            entries = payload.entries
            start += payload.left
            if len(starts) > 1:
                shift = shifts[bisect_right(starts, start) - 1]
            start += shift
            end += shift - payload.right
            if payload.stem:  # the evidence runs to the end of the word
                while end < length and folded[end].isalnum() and folded[end] < _WORD_LIMIT:
                    end += 1
            if payload.exact:
                original_start, original_end = text.span(start, end)
                written = text.original[original_start:original_end]
                entries = tuple(entry for entry in entries if _case_ok(entry.exact, written))
                if not entries:
                    continue
            hits.append(Hit(start, end, entries))
        return hits

    def find(self, text: Normalised) -> list[Hit]:
        """Hits in a folded text; its original decides the case rules."""
        folded = text.text
        hits = self._scan(text, f" {folded} ", [0], [-1])
        if folded.isascii() or not _CJK_ANY.search(folded):
            return hits
        digits = any(form in folded for form in self._digit_forms)
        if not digits and not _LATIN_ANY.search(folded):
            return hits
        # The runs beside CJK text that an alphabetic pattern could match, scanned again in one pass, one
        # line each (no pattern holds a line break, so none spans two runs).
        pieces: list[str] = []
        starts: list[int] = []
        shifts: list[int] = []
        position = 1
        runs = [run.span() for run in _NOT_CJK_RUN.finditer(folded)] if digits else _letter_runs(folded)
        for run_start, run_end in runs:
            piece = folded[run_start:run_end]
            if digits and not _LETTER_ANY.search(piece) and not any(form in piece for form in self._digit_forms):
                continue  # no letter, and no name made of digits: nothing alphabetic can match there
            pieces.append(piece)
            starts.append(position)
            shifts.append(run_start - position)
            position += len(piece) + 3
        if not pieces:
            return hits
        seen = {(hit.start, hit.end) for hit in hits}
        for hit in self._scan(text, " " + " \n ".join(pieces) + " ", starts, shifts):
            if (hit.start, hit.end) not in seen and _edge(folded[hit.start]) == 1:
                seen.add((hit.start, hit.end))
                hits.append(hit)
        return hits


def _case_ok(exact: str | None, written: str) -> bool:
    """Whether the text as written shows a case-sensitive form's own case (or title case from 4 letters on)."""
    if exact is None or written == exact:
        return True
    return len(exact) >= 4 and "." not in exact and written == exact.title()


def _same_reading(entry: Entry, other: Entry) -> bool:
    """Whether two entries of one pattern say the same thing to every rule: a name listed twice, or a company or
    country written in traditional and in simplified characters (京東, 京东), which fold to the same pattern."""
    if entry == other:
        return True
    return (
        entry.kind == other.kind and entry.kind in ("company", "product", "country") and entry.ref == other.ref
        and entry.lang == other.lang and entry.exact == other.exact and entry.stem == other.stem
        and fold(entry.alias) == fold(other.alias) and entry.alias.islower() == other.alias.islower()
        and is_acronym(entry.alias) == is_acronym(other.alias)
    )  # fmt: skip


class Builder:
    """Collects folded patterns and their entries, then compiles the automaton."""

    def __init__(self) -> None:
        self.patterns: dict[str, list[Entry]] = {}

    def _put(self, key: str, entry: Entry) -> None:
        if len(key) < 2 or (len(key) < 3 and script_of(key[0]) == "w" and entry.exact is None):
            return
        left = " " if _edge(key[0]) else ""  # alphabetic and Hangul words need a boundary on the left
        right = " " if _edge(key[-1]) == 1 and not entry.stem else ""  # Hangul takes particles on the right
        entries = self.patterns.setdefault(f"{left}{key}{right}", [])
        if not any(_same_reading(entry, other) for other in entries):
            entries.append(entry)

    def add(self, text: str, entry_kind: Kind, ref: str, *, lang: str | None = None, acronym: bool = False) -> None:
        """Add one surface form (a trailing ``*`` marks a stem). A separable verb is written with an ellipsis,
        "ruft … zurück": its first part is the pattern, the whole form its alias, the rest folded (the rules
        look for the rest later in the sentence)."""
        head, separated, rest = text.partition(SEPARATOR)
        stem = head.rstrip().endswith("*")
        surface = head.strip().rstrip("*").strip()
        # A name without a letter (1&1) folds to digits and spaces, like any amount ("1.1 billion"): it must be
        # written as the knowledge base writes it.
        exact = surface if acronym or not any(ch.isalpha() for ch in surface) else None
        alias = f"{surface} {SEPARATOR} {fold(rest).strip()}" if separated else surface
        self._put(fold(surface).strip(), Entry(entry_kind, ref, alias, exact, stem, lang))
        if acronym and len(surface) <= 5 and surface.isalpha():
            exact = dotted(surface).rstrip(".")  # the final dot is punctuation, outside the match
            self._put(fold(exact), Entry(entry_kind, ref, surface, exact, stem, lang))

    def add_name(self, name: str, entry_kind: Kind, ref: str) -> None:
        """Add a name, case-sensitive when it is a short acronym."""
        self.add(name, entry_kind, ref, acronym=is_acronym(name))

    def build(self) -> Automaton:
        """Compile; a form that names a regulator never also names a company."""
        for entries in self.patterns.values():
            if any(entry.kind == "regulator" for entry in entries):
                entries[:] = [entry for entry in entries if entry.kind not in ("company", "product")]
        return Automaton({key: entries for key, entries in self.patterns.items() if entries})


def _add_german(builder: Builder, name: str, kind: Kind, ref: str) -> None:
    """The German forms of a name (:mod:`german`), for German items only: declined, in the genitive, and as
    the head of a compound (a body's name)."""
    for form in declined(name):
        builder.add(form, kind, ref, lang="de")
    if kind == "regulator" and compound_head(name):
        builder.add(f"{name}*", kind, ref, lang="de")


def build_automaton(kb: KnowledgeBase) -> Automaton:
    """The one automaton over regulators, companies, products, countries and action lexicons."""
    builder = Builder()
    for regulator in kb.regulators.values():
        for name in regulator.names:
            builder.add_name(name, "regulator", regulator.id)
            _add_german(builder, name, "regulator", regulator.id)
        for acronym in regulator.acronyms:
            builder.add(acronym, "regulator", regulator.id, acronym=is_acronym(acronym) or len(acronym) <= 5)
    for company in kb.companies.values():
        for name in company.all_names():
            builder.add_name(name, "company", company.id)
            _add_german(builder, name, "company", company.id)
        for product in company.products:
            builder.add_name(product, "product", company.id)
    for code, names in kb.countries.items():
        for name in names:
            builder.add_name(name, "country", code)
    for lang, lexicon in kb.lexicons.items():
        for key, triggers in lexicon.items():
            for trigger in triggers:
                builder.add(trigger, "cue" if key.startswith("_") else "action", key, lang=lang)
    return builder.build()
