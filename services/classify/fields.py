"""The title and the summary of an item, folded, split into sentences, with their automaton hits."""

from __future__ import annotations

import re
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
_SENTENCE_END = re.compile(r"[.!?…。！？\n]+")  # a plain character class: several times faster than lookaheads


@dataclass(frozen=True)
class Field:
    """One field of an item, ready for the rules."""

    name: FieldName
    text: Normalised
    hits: tuple[Hit, ...]
    sentence_starts: tuple[int, ...]  # folded offsets where sentences start (0 first)

    def sentence(self, offset: int) -> int:
        """Index of the sentence holding a folded offset."""
        return bisect_right(self.sentence_starts, offset) - 1

    def evidence(self, start: int, end: int) -> EvidenceData:
        """Evidence for a folded span: the original text and offsets (validated as Evidence by the tag that
        holds it: one validation in pydantic's core instead of a model built per hit)."""
        original_start, original_end = self.text.span(start, end)
        return {
            "text": self.text.original[original_start:original_end], "field": self.name, "start": original_start,
            "end": original_end,
        }  # fmt: skip

    def original(self, start: int, end: int) -> str:
        """The original text of a folded span."""
        original_start, original_end = self.text.span(start, end)
        return self.text.original[original_start:original_end]


def prepare(name: FieldName, raw: str, automaton: Automaton) -> Field:
    """Fold a field, find its sentences and every automaton hit in it."""
    text = normalise(raw)
    starts = [0]
    for match in _SENTENCE_END.finditer(raw):
        end = match.end()
        if end < len(raw) and (raw[end].isspace() or raw[end - 1] in "。！？\n"):  # "7,7 Mio. Franken" too, alas
            starts.append(text.to_folded(end))
    return Field(name, text, tuple(automaton.find(text)), tuple(starts))


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
    for f in fields:
        for hit in f.hits:
            sentence = -1
            for entry in hit.entries:
                if entry.kind in kinds and (langs is None or entry.lang is None or entry.lang in langs):
                    if sentence < 0:
                        sentence = f.sentence(hit.start)
                    result.append(
                        Found(f, hit.start, hit.end, entry.kind, entry.ref, entry.alias, entry.lang, sentence)
                    )
    return result


def longest_only(items: list[Found]) -> list[Found]:
    """Drop every item whose span lies inside a longer one of the same field (order kept)."""
    if len(items) < 2:
        return items
    dropped: set[int] = set()
    by_field: dict[int, list[tuple[int, Found]]] = {}
    for index, item in enumerate(items):
        by_field.setdefault(id(item.field), []).append((index, item))
    for entries in by_field.values():
        entries.sort(key=lambda pair: (pair[1].start, -pair[1].end))
        cover_end, group_span, group_cover = -1, (-1, -1), -1
        for index, item in entries:
            span = (item.start, item.end)
            if span != group_span:  # spans before this one start earlier, or as early and end later
                group_span, group_cover = span, cover_end
            if group_cover >= item.end:
                dropped.add(index)
            cover_end = max(cover_end, item.end)
    return [item for index, item in enumerate(items) if index not in dropped]
