"""Regulatory actions from lexicon triggers, with the rules that keep them honest.

Rules (each sentence-scoped): a stop phrase voids the trigger it covers ("in order to"); a negation before
a trigger voids it ("denies planning to revoke"); an application next to an approval trigger voids it
("submits an authorisation application"); a ban on a merger is a rejection; closing a case is ``other``
and voids the investigation trigger beside it; a proposal voids a final-rule trigger beside it; a
trigger that only qualifies a guidance noun is no action ("fining guidance"). Triggers in the title or
the lead are primary, unless their sentence tells of the past ("après que ... le mois dernier").
"""

from __future__ import annotations

from dataclasses import dataclass

from services.classify.fields import Field, Found, found, longest_only
from services.pipeline.events import ActionTag, ActionType

CONFIDENCE = {"title": 0.9, "lead": 0.8, "body": 0.6, "background": 0.45}
MAX_EVIDENCE = 5
APPLICATION_WINDOW = 30  # characters between an application cue and an approval trigger
MERGER_WINDOW = 60
_CJK = frozenset({"zh", "ja"})


def _languages(lang: str) -> frozenset[str] | None:
    """Lexicons to use: the item's language and English (CJK items: Chinese and Japanese); None: all."""
    if lang in _CJK:
        return _CJK
    if lang in ("en", "fr", "de", "es", "it", "pt", "nl", "ko"):
        return frozenset({lang, "en"})
    return None


@dataclass(frozen=True)
class _Scored:
    type: str
    hit: Found
    primary: bool
    confidence: float


def _same_sentence(a: Found, b: Found) -> bool:
    return a.field is b.field and a.sentence == b.sentence


def _gap(a: Found, b: Found) -> int:
    """Characters between two hits of one sentence (0 when they touch or overlap)."""
    return max(b.start - a.end, a.start - b.end, 0)


def _apply_rules(triggers: list[Found], cues: list[Found]) -> list[tuple[str, Found]]:
    by_key: dict[str, list[Found]] = {}
    for cue in cues:
        by_key.setdefault(cue.ref, []).append(cue)
    stops, negations = by_key.get("_stop", []), by_key.get("_negation", [])
    applications, mergers, closes = by_key.get("_application", []), by_key.get("_merger", []), by_key.get("_close", [])
    kept = longest_only(
        [t for t in triggers if not any(s.field is t.field and s.start < t.end and t.start < s.end for s in stops)]
    )
    typed: list[tuple[str, Found]] = [(close.ref, close) for close in closes]
    for trigger in kept:
        kind = trigger.ref
        if any(_same_sentence(n, trigger) and n.end <= trigger.start for n in negations):
            continue
        if kind == "approval" and any(
            _same_sentence(a, trigger) and _gap(a, trigger) <= APPLICATION_WINDOW for a in applications
        ):
            continue
        if kind == "ban" and any(_same_sentence(m, trigger) and _gap(m, trigger) <= MERGER_WINDOW for m in mergers):
            kind = "rejection"
        if kind == "investigation" and any(_same_sentence(c, trigger) for c in closes):
            continue
        if kind == "final_rule" and any(_same_sentence(o, trigger) and o.ref == "rule_proposal" for o in kept):
            continue
        if any(
            o.ref == "guidance" and o is not trigger and o.field is trigger.field and 0 <= o.start - trigger.end <= 1
            for o in kept
        ):
            continue
        typed.append((kind, trigger))
    return [("other" if kind == "_close" else kind, hit) for kind, hit in typed]


def _score(kind: str, hit: Found, backgrounds: list[Found]) -> _Scored:
    if any(_same_sentence(b, hit) for b in backgrounds):
        return _Scored(kind, hit, False, CONFIDENCE["background"])
    if hit.field.name == "title":
        return _Scored(kind, hit, True, CONFIDENCE["title"])
    if hit.sentence == 0:
        return _Scored(kind, hit, True, CONFIDENCE["lead"])
    return _Scored(kind, hit, False, CONFIDENCE["body"])


def extract_actions(fields: tuple[Field, ...], lang: str) -> list[ActionTag]:
    """Action tags of an item, primary ones first, each with its evidence."""
    allowed = _languages(lang)
    hits = [f for f in found(fields, frozenset({"action", "cue"})) if allowed is None or f.lang in allowed]
    triggers = [h for h in hits if h.kind == "action"]
    cues = [h for h in hits if h.kind == "cue"]
    backgrounds = [c for c in cues if c.ref == "_background"]
    merged: dict[str, list[_Scored]] = {}
    for kind, hit in _apply_rules(triggers, cues):
        merged.setdefault(kind, []).append(_score(kind, hit, backgrounds))
    tags = [
        ActionTag(
            type=ActionType(kind), confidence=max(s.confidence for s in scored),
            primary=any(s.primary for s in scored),
            evidence=[s.hit.evidence() for s in scored[:MAX_EVIDENCE]],
        )
        for kind, scored in merged.items()
    ]  # fmt: skip
    return sorted(tags, key=lambda tag: (not tag.primary, -tag.confidence, tag.type.value))
