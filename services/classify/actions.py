"""Regulatory actions from lexicon triggers, with the rules that keep them honest.

Rules (each sentence-scoped): a stop phrase voids the trigger it covers ("in order to"); a negation shortly before
a trigger (Japanese, Korean: just after it) voids it ("denies planning to revoke", 予定はない) unless it denies
the conduct ("denied wrongdoing"); an application next to an approval trigger voids it
("submits an authorisation application"), a proposal or an investigation voids the triggers after it that
only tell what it is about; a ban on a merger is a rejection; closing a case is ``other``
and voids the investigation trigger beside it; a proposal voids a final-rule trigger beside it; a
trigger that only qualifies a guidance noun is no action ("fining guidance"); charges just after a settlement
trigger are the charges settled ("settles SEC charges"). Triggers in the title or
the lead are primary, unless their sentence tells of the past ("après que ... le mois dernier").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.classify.automaton import SEPARATOR
from services.classify.fields import Field, Found, TagData, found, longest_only

CONFIDENCE = {"title": 0.9, "lead": 0.8, "body": 0.6, "background": 0.45, "hedged": 0.4}
MAX_EVIDENCE = 5
APPLICATION_WINDOW = 30  # characters between an application cue and an approval trigger
MERGER_WINDOW = 60
NEGATION_WINDOW = 30  # characters between a negation ("does not plan to", "dementiert") and its trigger
NEGATION_AFTER_WINDOW = 12  # Japanese and Korean deny after the verb: 罰金を科す予定はない, 제재할 계획이 없다
SETTLED_WINDOW = 25  # characters between a settlement trigger and the charges it settles
HEDGE_WINDOW = 25  # characters between a hedge ("could face", "risque", "可能") and the trigger it makes hypothetical
HEDGE_AFTER_WINDOW = 12  # after the trigger: "Bußgelder sind möglich", "sont possibles", "과징금 부과 가능성"
_CLAUSE_BREAK = re.compile(r"[,;:]")
_CJK = frozenset({"zh", "ja"})
LEXICON_KINDS = frozenset({"action", "cue"})
_NUMBERED = re.compile(r" ?\d")
# What a denial is about when it is the conduct, not the action: "denied wrongdoing", "bestreitet die Vorwürfe".
_DENIED_CONDUCT = re.compile(
    r" (?:any |the |all |les |tout |die |jedes |las |todo |le |ogni |as |de )?"
    r"(?:wrongdoing|allegations?|accusations?|liability|responsibility|guilt|charges|fehlverhalten|vorwurfe?"
    r"|acusaciones|accuse|acusacoes|faits|responsabilite|beschuldigingen|illecito|irregularidades?)\b"
)


def lexicon_languages(lang: str) -> frozenset[str] | None:
    """Lexicons to use: the item's language and English (CJK items: Chinese and Japanese); None: all."""
    if lang in _CJK:
        return _CJK
    if lang in ("en", "fr", "de", "es", "it", "pt", "nl", "ko"):
        return frozenset({lang, "en"})
    return None


@dataclass(slots=True)
class _Scored:
    """A typed trigger with its rank."""

    type: str
    hit: Found
    primary: bool
    confidence: float


def _separable_ok(trigger: Found) -> bool:
    """Whether the rest of a separable verb follows its first part in the sentence: "BMW ruft 300.000 Autos
    zurück", "Philips roept miljoenen apparaten terug", "Das Amt gibt die Übernahme frei"."""
    rest = trigger.alias.partition(SEPARATOR)[2].strip()  # folded when the automaton was built
    following = trigger.field.text.text[trigger.end : trigger.field.sentence_end(trigger.sentence)]
    return f" {rest} " in f"{following} "


def _same_sentence(a: Found, b: Found) -> bool:
    return a.field is b.field and a.sentence == b.sentence


def _gap(a: Found, b: Found) -> int:
    """Characters between two hits of one sentence (0 when they touch or overlap)."""
    return max(b.start - a.end, a.start - b.end, 0)


SANCTIONS = frozenset({"fine", "settlement", "order", "ban", "rejection", "approval", "lawsuit", "licence_revocation"})


@dataclass(frozen=True, slots=True)
class _Cues:
    """The cues of one sentence, by what the rules do with them."""

    stops: list[Found]
    negations: list[Found]
    negations_after: list[Found]
    applications: list[Found]
    mergers: list[Found]
    closes: list[Found]

    @classmethod
    def of(cls, cues: list[Found]) -> _Cues:
        by_key: dict[str, list[Found]] = {}
        for cue in cues:
            by_key.setdefault(cue.ref, []).append(cue)
        keys = ("_stop", "_negation", "_negation_after", "_application", "_merger", "_close")
        by_key["_negation"] = [n for n in by_key.get("_negation", []) if not _about_conduct(n)]
        return cls(*(by_key.get(key, []) for key in keys))


_NO_CUES = _Cues([], [], [], [], [], [])  # a sentence with triggers and no cue (read only)


def _about_conduct(negation: Found) -> bool:
    """Whether a denial is of the conduct ("denied wrongdoing"), which leaves the action stated."""
    return bool(_DENIED_CONDUCT.match(negation.field.text.text, negation.end))


def _near(cues: list[Found], trigger: Found, window: int) -> bool:
    return any(_same_sentence(cue, trigger) and _gap(cue, trigger) <= window for cue in cues)


def _retype(trigger: Found, kept: list[Found], beside: set[str], cues: _Cues, title_closed: bool) -> str | None:
    """The action type a trigger stands for in its sentence (``kept``: the sentence's triggers, ``beside``:
    their types), or None when the rules void it."""
    kind = trigger.ref
    if any(0 <= trigger.start - n.end <= NEGATION_WINDOW for n in cues.negations) or any(
        0 <= n.start - trigger.end <= NEGATION_AFTER_WINDOW for n in cues.negations_after
    ):
        return None  # denied or not intended: dropped, not kept as a lesser action
    if kind == "approval" and (
        _near(cues.applications, trigger, APPLICATION_WINDOW) or beside & {"settlement", "final_rule", "rule_proposal"}
    ):
        return None  # an application, or the approval of a settlement or a rule: that is the action
    if kind == "ban" and _near(cues.mergers, trigger, MERGER_WINDOW):
        return "rejection"
    if kind == "rejection" and not (_near(cues.mergers, trigger, 200) or _near(cues.applications, trigger, 200)):
        return None  # a refusal that blocks no merger and denies no application is conduct, not a decision
    if kind == "lawsuit" and any(
        o.ref == "settlement" and 0 <= trigger.start - o.end <= SETTLED_WINDOW for o in kept
    ):  # fmt: skip
        return None  # "settles SEC charges", "agreed to settle fraud charges": settled charges are the settlement
    if kind == "investigation" and (title_closed or cues.closes):
        return None
    if kind == "final_rule" and _NUMBERED.match(trigger.field.text.text, trigger.end):
        return None  # "under COVID-19 Ordinance 3": the name of a text in force, not its adoption
    if kind in ("final_rule", "ban", "approval") and "rule_proposal" in beside:
        return None  # what a proposal would do ("consultation on lifting the ban") is no action yet
    if (
        kind in ("ban", "settlement", "order") and not cues.closes and "investigation" in beside
        and any(o.ref == "investigation" and o.end <= trigger.start for o in kept)
    ):  # fmt: skip
        return None  # "investigation into ... a ban on online sales", "indaga su possibili accordi": the conduct
    if "guidance" in beside and any(o.ref == "guidance" and 0 <= o.start - trigger.end <= 1 for o in kept):
        return None  # "fining guidance": the trigger only qualifies the guidance
    return kind


def _sentence_key(hit: Found) -> tuple[int, int]:
    return id(hit.field), hit.sentence


def _apply_rules(triggers: list[Found], cues: list[Found]) -> list[tuple[str, Found]]:
    """Apply the rules sentence by sentence; a case closed in the title closes the whole item."""
    groups: dict[tuple[int, int], tuple[list[Found], list[Found]]] = {}
    for trigger in triggers:
        groups.setdefault(_sentence_key(trigger), ([], []))[0].append(trigger)
    for cue in cues:
        groups.setdefault(_sentence_key(cue), ([], []))[1].append(cue)
    title_closed = any(cue.ref == "_close" and cue.field.name == "title" for cue in cues)
    typed: list[tuple[str, Found]] = []
    closes: list[Found] = []
    for sentence_triggers, sentence_cues in groups.values():
        if not sentence_triggers:  # cues alone: only a closed case counts
            closes += [cue for cue in sentence_cues if cue.ref == "_close"]
            continue
        found_cues = _Cues.of(sentence_cues) if sentence_cues else _NO_CUES
        closes += found_cues.closes
        kept = longest_only(
            [t for t in sentence_triggers if not any(s.start < t.end and t.start < s.end for s in found_cues.stops)]
        )
        beside = {trigger.ref for trigger in kept}
        for trigger in kept:
            kind = _retype(trigger, kept, beside, found_cues, title_closed)
            if kind is not None:
                typed.append((kind, trigger))
    if not any(kind in SANCTIONS for kind, _ in typed):
        typed += [("other", close) for close in closes]  # a case closed without a sanction
    return typed


def hedged(trigger: Found, hedges: list[Found]) -> bool:
    """Whether a hedge in the trigger's clause makes its action hypothetical: "could face a fine", "risque une
    amende", "可能面临罚款", "threatens to sue" (before it), "Bußgelder sind möglich" (after it)."""
    text = trigger.field.text.text
    for hedge in hedges:
        if hedge.field is not trigger.field or hedge.sentence != trigger.sentence:
            continue
        if hedge.ref == "_hedge" and 0 <= trigger.start - hedge.end <= HEDGE_WINDOW:
            between = text[hedge.end : trigger.start]
        elif hedge.ref == "_hedge_after" and 0 <= hedge.start - trigger.end <= HEDGE_AFTER_WINDOW:
            between = text[trigger.end : hedge.start]
        else:
            continue
        if not _CLAUSE_BREAK.search(between):
            return True
    return False


def _score(kind: str, hit: Found, backgrounds: set[tuple[int, int]], hedges: list[Found]) -> _Scored:
    if hedges and hedged(hit, hedges):
        return _Scored(kind, hit, False, CONFIDENCE["hedged"])  # mentioned, never the item's action
    if _sentence_key(hit) in backgrounds:
        return _Scored(kind, hit, False, CONFIDENCE["background"])
    if hit.field.name == "title":
        return _Scored(kind, hit, True, CONFIDENCE["title"])
    if hit.sentence == 0:
        return _Scored(kind, hit, True, CONFIDENCE["lead"])
    return _Scored(kind, hit, False, CONFIDENCE["body"])


@dataclass(frozen=True, slots=True)
class Actions:
    """What :func:`extract_actions` found: the fields of each ActionTag, and the sentences that state one."""

    tags: list[TagData]
    sentences: frozenset[tuple[str, int]]  # (field name, sentence index)


def extract_actions(fields: tuple[Field, ...], lang: str, hits: list[Found] | None = None) -> Actions:
    """Action tags of an item (the fields of ActionTag), primary ones first, each with its evidence. ``hits``:
    the item's hits found once for every rule (:func:`lexicon_languages` of ``lang``); only the action
    triggers and cues among them are read."""
    if hits is None:
        hits = found(fields, LEXICON_KINDS, lexicon_languages(lang))
    triggers = [h for h in hits if h.kind == "action" and (SEPARATOR not in h.alias or _separable_ok(h))]
    cues = [h for h in hits if h.kind == "cue"]
    backgrounds = {_sentence_key(c) for c in cues if c.ref == "_background"}
    hedges = [c for c in cues if c.ref in ("_hedge", "_hedge_after")]
    merged: dict[str, list[_Scored]] = {}
    sentences: set[tuple[str, int]] = set()
    seen: set[tuple[str, str, int, int]] = set()
    for kind, hit in _apply_rules(triggers, cues):
        span = (kind, hit.field.name, hit.start, hit.end)
        if span in seen:
            continue  # one word in two lexicons (警告 is Chinese and Japanese): one piece of evidence
        seen.add(span)
        merged.setdefault(kind, []).append(_score(kind, hit, backgrounds, hedges))
        sentences.add((hit.field.name, hit.sentence))
    tags: list[TagData] = [
        {
            "type": kind, "confidence": max(s.confidence for s in scored), "primary": any(s.primary for s in scored),
            "evidence": [s.hit.evidence() for s in scored[:MAX_EVIDENCE]],
        }
        for kind, scored in merged.items()
    ]  # fmt: skip
    tags.sort(key=lambda tag: (not tag["primary"], -tag["confidence"], tag["type"]))
    return Actions(tags, frozenset(sentences))
