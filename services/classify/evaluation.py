"""Score tags against labelled items, as ``../shared/data/README.md`` defines it.

A predicted company or regulator matches a gold one when, after folding case, accents, punctuation and
legal suffixes, one name equals the other or is its leading words; predictions are compared through all
their knowledge-base names, gold regulators through their aliases and acronym too. Precision, recall and
F1 are micro-averaged per field; action macro-F1 averages per-type F1; the per-language figure is the mean
of the three fields' F1 for languages with at least ``MIN_LANGUAGE_ITEMS`` items.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.classify.kb import KnowledgeBase
from services.classify.normalise import fold
from services.pipeline.events import Tags

MIN_LANGUAGE_ITEMS = 5
FIELDS = ("company", "regulator", "action")
LEGAL_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "ag",
        "sa",
        "group",
        "groupe",
        "gruppe",
        "grupo",
        "gruppo",
        "holding",
        "holdings",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "llc",
        "gmbh",
        "spa",
        "nv",
        "bv",
        "se",
        "kgaa",
        "kg",
        "sas",
        "srl",
        "ab",
        "asa",
        "oy",
        "oyj",
        "lp",
        "llp",
        "pty",
        "the",
    ]
)
_NON_WORD = re.compile(r"[\W_]+")


def name_key(name: str) -> tuple[str, ...]:
    """Folded words of a name without punctuation and legal suffixes (CJK runs stay one word)."""
    words = [w for w in _NON_WORD.split(fold(name.replace(".", ""))) if w]  # S.p.A. -> spa
    kept = [w for w in words if w not in LEGAL_SUFFIXES]
    return tuple(kept or words)


def names_match(a: str, b: str) -> bool:
    """Equal after folding, or one is the other's leading words."""
    ka, kb_ = name_key(a), name_key(b)
    if not ka or not kb_:
        return False
    short, long_ = (ka, kb_) if len(ka) <= len(kb_) else (kb_, ka)
    return long_[: len(short)] == short


@dataclass
class Counts:
    """True positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, predicted: int, gold: int) -> None:
        """Add one item's counts."""
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + predicted - tp, self.fn + gold - tp

    @property
    def precision(self) -> float:
        """TP / (TP + FP), 1.0 with nothing predicted and nothing to find."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float(self.fn == 0)

    @property
    def recall(self) -> float:
        """TP / (TP + FN), 1.0 with nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _matched(predicted: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]) -> int:
    """Greedy one-to-one matching of name sets; returns how many gold entries were found."""
    free = list(range(len(predicted)))
    found = 0
    for gold_names in gold:
        for index in free:
            if any(names_match(p, g) for p in predicted[index] for g in gold_names):
                free.remove(index)
                found += 1
                break
    return found


def predicted_names(tags: Tags, kb: KnowledgeBase) -> tuple[list[list[str]], list[list[str]]]:
    """Every name of each predicted company and regulator, through the knowledge base."""
    companies = [list(kb.companies[c.id].all_names()) if c.id in kb.companies else [c.name] for c in tags.companies]
    regulators = [
        [*kb.regulators[r.id].names, *kb.regulators[r.id].acronyms] if r.id in kb.regulators else [r.name]
        for r in tags.regulators
    ]
    return companies, regulators


@dataclass
class Report:
    """Counts per field, overall and per language, and per action type."""

    overall: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in FIELDS})
    by_language: dict[str, dict[str, Counts]] = field(default_factory=dict)
    items_by_language: dict[str, int] = field(default_factory=dict)
    by_action: dict[str, Counts] = field(default_factory=dict)
    language_correct: int = 0
    items: int = 0

    def add(self, gold: dict[str, Any], tags: Tags, kb: KnowledgeBase) -> None:
        """Score one item."""
        lang = str(gold.get("lang") or "und")
        self.items += 1
        self.language_correct += tags.language == lang
        self.items_by_language[lang] = self.items_by_language.get(lang, 0) + 1
        per_lang = self.by_language.setdefault(lang, {f: Counts() for f in FIELDS})
        companies, regulators = predicted_names(tags, kb)
        gold_companies = [[name] for name in gold.get("companies") or []]
        gold_regulators = [
            [r.get("name") or "", r.get("acronym") or "", *(r.get("aliases") or [])]
            for r in gold.get("regulators") or []
        ]
        predicted_actions = {a.type.value for a in tags.actions}
        gold_actions = set(gold.get("actions") or [])
        results = {
            "company": (_matched(companies, gold_companies), len(companies), len(gold_companies)),
            "regulator": (_matched(regulators, gold_regulators), len(regulators), len(gold_regulators)),
            "action": (len(predicted_actions & gold_actions), len(predicted_actions), len(gold_actions)),
        }
        for name, (tp, predicted, wanted) in results.items():
            self.overall[name].add(tp, predicted, wanted)
            per_lang[name].add(tp, predicted, wanted)
        for action in predicted_actions | gold_actions:
            self.by_action.setdefault(action, Counts()).add(
                int(action in predicted_actions and action in gold_actions),
                int(action in predicted_actions), int(action in gold_actions),
            )  # fmt: skip

    @property
    def action_macro_f1(self) -> float:
        """Mean of the per-type F1 over every type seen in gold or predictions."""
        return sum(c.f1 for c in self.by_action.values()) / len(self.by_action) if self.by_action else 1.0

    def language_means(self) -> dict[str, float]:
        """Mean F1 of the three fields for each language with enough items."""
        return {
            lang: sum(c.f1 for c in counts.values()) / len(counts)
            for lang, counts in sorted(self.by_language.items())
            if self.items_by_language[lang] >= MIN_LANGUAGE_ITEMS
        }

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""

        def figures(counts: dict[str, Counts]) -> dict[str, dict[str, float]]:
            return {k: {"precision": c.precision, "recall": c.recall, "f1": c.f1} for k, c in counts.items()}

        return {
            "items": self.items, "overall": figures(self.overall), "action_macro_f1": self.action_macro_f1,
            "by_language": {lang: figures(c) for lang, c in sorted(self.by_language.items())},
            "items_by_language": self.items_by_language, "language_means": self.language_means(),
            "by_action": figures(self.by_action), "language_accuracy": self.language_correct / max(self.items, 1),
        }  # fmt: skip


def _beside(value: float | None) -> str:
    """A baseline figure printed after the classifier's, or nothing without a baseline."""
    return "" if value is None else f"   gazetteer {value:.3f}"


def render(report: Report, baseline: Report | None = None) -> Iterable[str]:
    """Lines of a plain-text report; with a ``baseline`` (the gazetteer's report on the same items), each
    F1 is followed by the baseline's."""

    def other(scope: str, name: str) -> float | None:
        if baseline is None:
            return None
        counts = baseline.overall if scope == "overall" else baseline.by_language.get(scope, {})
        return counts[name].f1 if name in counts else 0.0

    yield f"items: {report.items}   language detected correctly: {report.language_correct}/{report.items}"
    yield f"{'scope':<10} {'field':<10} {'P':>6} {'R':>6} {'F1':>6}" + ("   gazetteer F1" if baseline else "")
    scopes = [("overall", report.overall), *sorted(report.by_language.items())]
    for scope, counts_by_field in scopes:
        for name, c in counts_by_field.items():
            figures = f"{c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}"
            yield f"{scope:<10} {name:<10} {figures}" + _beside(other(scope, name))
        if scope == "overall":
            yield f"action macro-F1: {report.action_macro_f1:.3f}" + _beside(
                baseline.action_macro_f1 if baseline else None
            )
    theirs = baseline.language_means() if baseline else {}
    for lang, mean in report.language_means().items():
        yield f"language mean F1 {lang} ({report.items_by_language[lang]} items): {mean:.3f}" + _beside(
            theirs.get(lang, 0.0) if baseline else None
        )
    for action, c in sorted(report.by_action.items()):
        theirs_f1 = baseline.by_action[action].f1 if baseline and action in baseline.by_action else 0.0
        yield f"action {action:<20} P {c.precision:.3f} R {c.recall:.3f} F1 {c.f1:.3f}" + _beside(
            theirs_f1 if baseline else None
        )
