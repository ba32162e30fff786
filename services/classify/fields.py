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
    hit_sentences: tuple[int, ...]  # the sentence of each hit, computed once for every rule that reads them

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


def prepare(name: FieldName, raw: str, automaton: Automaton) -> Field:
    """Fold a field, find its sentences and every automaton hit in it."""
    text = normalise(raw)
    starts = [0]
    for match in _SENTENCE_END.finditer(raw):
        end = match.end()
        if end < len(raw) and (raw[end].isspace() or raw[end - 1] in "。！？\n"):  # "7,7 Mio. Franken" too, alas
            starts.append(text.to_folded(end))
    hits = automaton.find(text)
    sentences = tuple(bisect_right(starts, hit.start) - 1 for hit in hits)
    return Field(name, text, tuple(hits), tuple(starts), sentences)


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
    """Drop every item whose span lies inside a longer one of the same field (order kept)."""
    if len(items) < 2:
        return items
    # Field by field, spans by start, the longer first; equal spans keep their order (the index decides).
    order = sorted([(id(item.field), item.start, -item.end, index) for index, item in enumerate(items)])
    dropped: set[int] = set()
    field_id, cover_end, group_start, group_end, group_cover = -1, -1, -1, -1, -1
    for item_field, start, negative_end, index in order:
        end = -negative_end
        if item_field != field_id:
            field_id, cover_end, group_start, group_end, group_cover = item_field, -1, -1, -1, -1
        if start != group_start or end != group_end:  # spans before this one start earlier, or end later
            group_start, group_end, group_cover = start, end, cover_end
        if group_cover >= end:
            dropped.add(index)
        if end > cover_end:
            cover_end = end
    if not dropped:
        return items
    return [item for index, item in enumerate(items) if index not in dropped]
