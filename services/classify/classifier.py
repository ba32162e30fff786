"""The classifier: title and summary in, explainable tags out (language, companies, regulators, actions,
jurisdictions), each tag with the words that produced it and a confidence."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from services.classify import language
from services.classify.actions import LEXICON_KINDS, extract_actions, lexicon_languages
from services.classify.ambiguity import ItemContext
from services.classify.amounts import amount_tag
from services.classify.automaton import Automaton, build_automaton
from services.classify.entities import ENTITY_KINDS, extract_entities
from services.classify.fields import Field, TagData, found, prepare
from services.classify.kb import KB_DIR, KnowledgeBase, load
from services.classify.normalise import fold, warm_up
from services.pipeline.events import Tags

VERSION = "1.0"
MAX_TITLE_CHARS = 1_000
MAX_SUMMARY_CHARS = 20_000
HINT_CONFIDENCE = 0.5
MAX_FALLBACK_JURISDICTIONS = 3
_ALL_KINDS = ENTITY_KINDS | LEXICON_KINDS


def _kb_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".jsonl", ".json", ".tsv"):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _trigger_languages(fields: tuple[Field, ...]) -> list[str]:
    """The language of each action trigger matched in the sample the language model reads."""
    return [
        hit.lang for hit in found(fields, frozenset({"action"}))
        if hit.lang and (hit.field.name == "title" or hit.start < language.SAMPLE_CHARS)
    ]  # fmt: skip


@dataclass(frozen=True)
class LoadStats:
    """What loading cost: seconds and the size of what was loaded."""

    seconds: float
    regulators: int
    companies: int
    patterns: int


class Classifier:
    """Tags items against one knowledge base; build it once with :meth:`load`, then share it (read-only)."""

    def __init__(self, kb: KnowledgeBase, automaton: Automaton, version: str, stats: LoadStats) -> None:
        self.kb = kb
        self.automaton = automaton
        self.version = version
        self.stats = stats
        self._regulator_lookup = {fold(key): key for key in kb.regulators}
        for key, regulator in kb.regulators.items():
            for name in (*regulator.names, *regulator.acronyms):
                self._regulator_lookup.setdefault(fold(name), key)

    @classmethod
    def load(cls, folder: Path = KB_DIR) -> Classifier:
        """Load the knowledge base, compile the automaton and the folding tables, load the language model."""
        started = time.perf_counter()
        warm_up()
        kb = load(folder)
        automaton = build_automaton(kb)
        language.warm_up()
        stats = LoadStats(time.perf_counter() - started, len(kb.regulators), len(kb.companies), automaton.size)
        return cls(kb, automaton, f"{VERSION}+kb.{_kb_digest(folder)}", stats)

    def classify(
        self, title: str, summary: str, lang: str | None, *, regulator_hint: str | None = None,
        jurisdiction_hint: str | None = None,
    ) -> Tags:  # fmt: skip
        """Tag one item. ``lang`` is the declared language, if any; the hints come from the feed."""
        title, summary = title[:MAX_TITLE_CHARS], summary[:MAX_SUMMARY_CHARS]
        fields = (prepare("title", title, self.automaton), prepare("summary", summary, self.automaton))
        detected = language.detect(f"{title}\n{summary}", lang, lambda: _trigger_languages(fields))
        hits = found(fields, _ALL_KINDS, lexicon_languages(detected))  # one pass for action and entity rules
        actions = extract_actions(fields, detected, hits)
        hinted_id = self._regulator_lookup.get(fold(regulator_hint.strip())) if regulator_hint else None
        hint = (jurisdiction_hint or "").strip().upper()
        item = ItemContext(actions.sentences, hinted_id, hint or None)
        entities = extract_entities(fields, self.kb, detected, item, hits)
        regulators = entities.regulators
        hinted = self._hinted_regulator(hinted_id, regulators)
        if hinted is not None:
            regulators = [*regulators, hinted]
        jurisdictions = list(dict.fromkeys(tag["jurisdiction"] for tag in regulators))
        if hint and hint not in jurisdictions:
            jurisdictions.append(hint)
        if not jurisdictions and actions.tags:
            jurisdictions = entities.countries[:MAX_FALLBACK_JURISDICTIONS]
        return Tags.model_validate({
            "language": detected, "companies": entities.companies, "regulators": regulators, "actions": actions.tags,
            "jurisdictions": jurisdictions, "classifier_version": self.version,
            "amount": amount_tag(title, summary, detected, jurisdictions),
        })  # fmt: skip

    def _hinted_regulator(self, key: str | None, found: list[TagData]) -> TagData | None:
        """The feed's regulator, when the text does not name it itself (its own press releases)."""
        if key is None or any(tag["id"] == key for tag in found):
            return None
        regulator = self.kb.regulators[key]
        return {
            "id": regulator.id, "name": regulator.name, "acronym": regulator.acronyms[0] if regulator.acronyms else None,
            "jurisdiction": regulator.jurisdiction, "confidence": HINT_CONFIDENCE, "evidence": [],
        }  # fmt: skip
