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


def why_matched(rule: Rule, classified: ClassifiedItem) -> list[dict[str, Any]]:
    """The filters of ``rule`` that ``classified`` satisfied, as ``{"filter", "value", "evidence"}``."""
    tags, hits = classified.tags, []
    for c in tags.companies:
        if rule.companies & {normalise(c.id), normalise(c.name)}:
            hits.append(_hit("companies", c.name, _texts(c.evidence)))
    for r in tags.regulators:
        if rule.regulators & {normalise(r.id), normalise(r.name), normalise(r.acronym or "")}:
            hits.append(_hit("regulators", r.acronym or r.name, _texts(r.evidence)))
    for a in tags.actions:
        if a.type.value in rule.actions:
            hits.append(_hit("actions", a.type.value, _texts(a.evidence)))
    if rule.jurisdictions:
        for code in tags.jurisdictions:
            if with_parents([code]) & rule.jurisdictions:
                said = [e for r in tags.regulators if r.jurisdiction == code for e in r.evidence]
                hits.append(_hit("jurisdictions", code, _texts(said)))
    if rule.languages and with_parents([tags.language]) & rule.languages:
        hits.append(_hit("languages", tags.language, []))
    text = normalise(f"{classified.item.title}\n{classified.item.summary}")
    hits += [_hit("keywords", k, [k]) for k in sorted(rule.keywords) if k in text]
    if rule.min_amount is not None and tags.amount is not None:
        value = f"{tags.amount.value} {tags.amount.currency}"
        hits.append(_hit("min_amount", value, [tags.amount.evidence["text"]]))
    return hits
