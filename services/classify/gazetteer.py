"""The baseline: a plain exact-match gazetteer over the classifier's own knowledge base.

Every company name and alias, regulator name and acronym and action trigger (of every language) is looked
up in the case-folded text, leftmost-longest, on word boundaries for alphabetic names (a lexicon stem, "fine*",
takes any continuation). No rule runs: no context, no ambiguity, no negation, no hedging, no primary
action. Every evaluation prints its figures beside the classifier's (``regalerts eval --baseline``,
``bench/bench_classify.py``), so that each rule shows what it adds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from services.classify import language
from services.classify.automaton import script_of
from services.classify.kb import KB_DIR, KnowledgeBase, load
from services.pipeline.events import ActionType, Tags

VERSION = "gazetteer"
_ACTION_TYPES = frozenset(action.value for action in ActionType)


@dataclass(frozen=True, slots=True)
class _Name:
    """What a looked-up form stands for."""

    kind: str  # "company", "regulator" or "action"
    ref: str  # company or regulator id, or action type
    length: int
    stem: bool = False  # any continuation allowed on the right


def _bounded(text: str, start: int, end: int, stem: bool) -> bool:
    """Whether ``text[start:end]`` sits on word boundaries (only alphabetic edges need one: CJK has none)."""
    left_ok = start == 0 or script_of(text[start]) != "w" or script_of(text[start - 1]) != "w"
    right_ok = stem or end == len(text) or script_of(text[end - 1]) != "w" or script_of(text[end]) != "w"
    return left_ok and right_ok


class Gazetteer:
    """Tags an item with every knowledge-base name and trigger its text holds, as written."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._automaton = ahocorasick.Automaton()
        for company in kb.companies.values():
            for name in company.all_names():
                self._add(name, _Name("company", company.id, 0))
        for regulator in kb.regulators.values():
            for name in (*regulator.names, *regulator.acronyms):
                self._add(name, _Name("regulator", regulator.id, 0))
        for lexicon in kb.lexicons.values():
            for key, triggers in lexicon.items():
                if key in _ACTION_TYPES:
                    for trigger in triggers:
                        head = trigger.partition("…")[0].strip()  # a separable verb's first part
                        self._add(head.rstrip("*").strip(), _Name("action", key, 0, head.endswith("*")))
        self._automaton.make_automaton()

    @classmethod
    def load(cls, folder: Path = KB_DIR) -> Gazetteer:
        """The gazetteer over the knowledge base in ``folder``."""
        return cls(load(folder))

    def _add(self, form: str, name: _Name) -> None:
        key = form.casefold()
        if len(key) >= 2 and key not in self._automaton:  # the first entry of a shared form keeps it
            self._automaton.add_word(key, _Name(name.kind, name.ref, len(key), name.stem))

    def find(self, text: str) -> list[_Name]:
        """Every form found in ``text``, leftmost-longest, on word boundaries."""
        folded = text.casefold()
        names = []
        for last, name in self._automaton.iter_long(folded):
            if _bounded(folded, last + 1 - name.length, last + 1, name.stem):
                names.append(name)
        return names

    def classify(self, title: str, summary: str, lang: str | None) -> Tags:
        """Tag one item: each name found once, every action primary, the regulators' jurisdictions."""
        found = self.find(f"{title}\n{summary}")
        refs = {kind: list(dict.fromkeys(n.ref for n in found if n.kind == kind)) for kind in _KINDS}
        regulators = [self.kb.regulators[key] for key in refs["regulator"]]
        return Tags.model_validate({
            "language": language.detect(f"{title}\n{summary}", lang),
            "companies": [{"id": key, "name": self.kb.companies[key].name, "confidence": 1.0} for key in refs["company"]],
            "regulators": [
                {"id": r.id, "name": r.name, "jurisdiction": r.jurisdiction, "confidence": 1.0} for r in regulators
            ],
            "actions": [{"type": key, "confidence": 1.0, "primary": True} for key in refs["action"]],
            "jurisdictions": list(dict.fromkeys(r.jurisdiction for r in regulators)),
            "classifier_version": VERSION,
        })  # fmt: skip


_KINDS = ("company", "regulator", "action")
