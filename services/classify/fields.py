"""The title and the summary of an item, folded, split into sentences, with their automaton hits."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Literal

from services.classify.automaton import Automaton, Hit
from services.classify.normalise import Normalised, normalise

EvidenceData = dict[str, Any]  # the fields of an Evidence, before validation
# The fields of a tag (CompanyTag, RegulatorTag, ActionTag), before validation: the classifier validates the
# whole Tags once, in pydantic's core, instead of building a model per tag and per evidence.
TagData = dict[str, Any]

FieldName = Literal["title", "summary"]
_TERMINATORS = ".!?…。！？\n"
_CJK_TERMINATORS = "。！？\n"  # end a sentence even with no space after them


@dataclass(slots=True)
class Field:
    """One field of an item, ready for the rules (read-only once built)."""

    name: FieldName
    text: Normalised
    hits: list[Hit]
    sentence_starts: list[int]  # folded offsets where sentences start (0 first)
    hit_sentences: list[int]  # the sentence of each hit, computed once for every rule that reads them

    def sentence_end(self, index: int) -> int:
        """Folded offset where sentence ``index`` ends (the next one's start, or the end of the text)."""
        starts = self.sentence_starts
        return starts[index + 1] if index + 1 < len(starts) else len(self.text.text)

    def sentence(self, offset: int) -> int:
        """Index of the sentence holding a folded offset."""
        return bisect_right(self.sentence_starts, offset) - 1

    def evidence(self, start: int, end: int) -> EvidenceData:
        """Evidence for a folded span: the original text and offsets (validated as Evidence by the tag that
        holds it: one validation in pydantic's core instead of a model built per hit)."""
        text = self.text
        if len(text.runs) > 1:  # else folded offsets are original ones (most texts: spared a call per hit)
            start, end = text.span(start, end)
        return {"text": text.original[start:end], "field": self.name, "start": start, "end": end}

    def original(self, start: int, end: int) -> str:
        """The original text of a folded span."""
        text = self.text
        if len(text.runs) > 1:
            start, end = text.span(start, end)
        return text.original[start:end]


def _sentence_ends(raw: str) -> list[int]:
    """Original offsets where a sentence ends: after a run of terminators followed by a space ("7,7 Mio.
    Franken" too, alas), or after a CJK terminator or a line break. Each terminator is looked for with
    ``str.find`` (a memchr scan), several times faster than a regular expression's character class."""
    marks: list[int] = []
    for terminator in _TERMINATORS:
        position = raw.find(terminator)
        while position >= 0:
            marks.append(position)
            position = raw.find(terminator, position + 1)
    if not marks:
        return []
    marks.sort()
    ends: list[int] = []
    length = len(raw)
    last = len(marks) - 1
    for index, position in enumerate(marks):
        if index < last and marks[index + 1] == position + 1:
            continue  # the run of terminators goes on
        end = position + 1
        if end < length and (raw[end].isspace() or raw[position] in _CJK_TERMINATORS):
            ends.append(end)
    return ends


def prepare(name: FieldName, raw: str, automaton: Automaton) -> Field:
    """Fold a field, find its sentences and every automaton hit in it."""
    text = normalise(raw)
    starts = [0]
    if len(text.runs) == 1:  # folded offsets are original ones
        starts += _sentence_ends(raw)
    else:
        starts += [text.to_folded(end) for end in _sentence_ends(raw)]
    hits = automaton.find(text)
    sentences = [0] * len(hits) if len(starts) == 1 else [bisect_right(starts, hit.start) - 1 for hit in hits]
    return Field(name, text, hits, starts, sentences)


@dataclass(slots=True)
class Found:
    """A hit with the field it came from, reduced to one entry."""

    field: Field
    start: int
    end: int
    kind: str
    ref: str
    alias: str
    lang: str | None
    sentence: int  # index of its sentence within its field

    @property
    def text(self) -> str:
        """Original text of the hit."""
        return self.field.original(self.start, self.end)

    def evidence(self) -> EvidenceData:
        """Evidence of the hit."""
        return self.field.evidence(self.start, self.end)


def found(fields: tuple[Field, ...], kinds: frozenset[str], langs: frozenset[str] | None = None) -> list[Found]:
    """Every (hit, entry) pair of the given kinds (and, for lexicon entries, languages), over all fields."""
    result: list[Found] = []
    append = result.append
    for f in fields:
        for hit, sentence in zip(f.hits, f.hit_sentences, strict=True):
            for entry in hit.entries:
                kind, lang = entry.kind, entry.lang
                if kind in kinds and (langs is None or lang is None or lang in langs):
                    append(Found(f, hit.start, hit.end, kind, entry.ref, entry.alias, lang, sentence))
    return result


def longest_only(items: list[Found]) -> list[Found]:
    """Drop every item whose span lies inside a longer one of the same field (order kept; items with the
    same span are all kept)."""
    if len(items) < 2:
        return list(items)
    spans = {(item.field.name, item.start, item.end) for item in items}
    inside: set[tuple[str, int, int]] = set()
    field, reach = "", -1
    for span in sorted(spans, key=lambda span: (span[0], span[1], -span[2])):  # by field, by start, longer first
        name, _, end = span
        if name != field:
            field, reach = name, -1
        if reach >= end:  # a span before this one reaches as far
            inside.add(span)
        reach = max(reach, end)
    return [item for item in items if (item.field.name, item.start, item.end) not in inside]
