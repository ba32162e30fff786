"""Why an item matched a subscription: each filter that hit, the item's value and the words that say it
(pure; the intake stores it with the delivery and the alert carries it)."""

from __future__ import annotations

from typing import Any

from services.notify.matching import Rule, with_parents
from services.notify.phrases import normalise
from services.pipeline.events import ClassifiedItem, Evidence


def _texts(evidence: list[Evidence]) -> list[str]:
    return list(dict.fromkeys(e["text"] for e in evidence))


def _hit(name: str, value: str, evidence: list[str]) -> dict[str, Any]:
    return {"filter": name, "value": value, "evidence": evidence}


class Explanation:
    """Why one item matched each of its rules: its names and text are normalised once, not once per rule."""

    def __init__(self, classified: ClassifiedItem) -> None:
        tags = classified.tags
        self._tags = tags
        self._companies = [({normalise(c.id), normalise(c.name)}, c) for c in tags.companies]
        self._regulators = [
            ({normalise(r.id), normalise(r.name), normalise(r.acronym or "")}, r) for r in tags.regulators
        ]
        self._jurisdictions = [(with_parents([code]), code) for code in tags.jurisdictions]
        self._languages = with_parents([tags.language])
        self._text = normalise(f"{classified.item.title}\n{classified.item.summary}")

    def of(self, rule: Rule) -> list[dict[str, Any]]:
        """The filters of ``rule`` the item satisfied, as ``{"filter", "value", "evidence"}``."""
        tags, hits = self._tags, []
        for names, c in self._companies:
            if rule.companies & names:
                hits.append(_hit("companies", c.name, _texts(c.evidence)))
        for names, r in self._regulators:
            if rule.regulators & names:
                hits.append(_hit("regulators", r.acronym or r.name, _texts(r.evidence)))
        for a in tags.actions:
            if a.type.value in rule.actions:
                hits.append(_hit("actions", a.type.value, _texts(a.evidence)))
        if rule.jurisdictions:
            for codes, code in self._jurisdictions:
                if codes & rule.jurisdictions:
                    said = [e for r in tags.regulators if r.jurisdiction == code for e in r.evidence]
                    hits.append(_hit("jurisdictions", code, _texts(said)))
        if rule.languages and self._languages & rule.languages:
            hits.append(_hit("languages", tags.language, []))
        hits += [_hit("keywords", k, [k]) for k in sorted(rule.keywords) if k in self._text]
        if rule.min_amount is not None and tags.amount is not None:
            value = f"{tags.amount.value} {tags.amount.currency}"
            hits.append(_hit("min_amount", value, [tags.amount.evidence["text"]]))
        return hits


def why_matched(rule: Rule, classified: ClassifiedItem) -> list[dict[str, Any]]:
    """The filters of ``rule`` that ``classified`` satisfied, as ``{"filter", "value", "evidence"}``."""
    return Explanation(classified).of(rule)
