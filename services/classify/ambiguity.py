"""Regulator names that are also common words or other entities, accepted only in context.

The knowledge base flags them per body (``ambiguous_acronyms``): CAC (the CAC 40 index), FCA (Fiat
Chrysler), ICO (an initial coin offering), AP (Associated Press), Brussels, Bundesrat, the "SEC" of a
country other than the United States, a name two bodies share. Such a form names its body only when the
item gives it context, strong or weak:

- strong: the body's jurisdiction is named (a country, its demonym or capital, even inside a longer name;
  the jurisdiction of an unambiguous regulator of the item; the feed's jurisdiction), another name of the
  same body that is not ambiguous is in the item, or the feed names the body itself;
- weak: a regulatory action is stated in the same sentence ("the FCA fined ...").

Weak context is enough on its own, but not against a rival: when another body is named unambiguously by
the very same words (the US SEC for "SEC", the US FCC for "Federal Communications Commission"), the
ambiguous reading needs strong context.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.classify.context import alias_key
from services.classify.fields import Found
from services.classify.kb import KnowledgeBase


@dataclass(frozen=True, slots=True)
class ItemContext:
    """What an item says beyond the names themselves."""

    action_sentences: frozenset[tuple[str, int]] = frozenset()  # (field name, sentence index) stating an action
    regulator_hint: str | None = None  # the id of the feed's regulator
    jurisdiction_hint: str | None = None  # the feed's jurisdiction code


def is_ambiguous(hit: Found, kb: KnowledgeBase) -> bool:
    """Whether the words of a regulator hit are flagged as ambiguous for that body (in the case the knowledge
    base writes them, when the body has the same form in another case unflagged: "Sec" but not "SEC")."""
    regulator = kb.regulators[hit.ref]
    return (
        bool(regulator.ambiguous)
        and alias_key(hit.alias) in regulator.ambiguous
        and (hit.alias not in regulator.clear_forms)
    )


def in_context(hits: list[Found], kb: KnowledgeBase, item: ItemContext, places: set[str]) -> list[Found]:
    """The regulator hits that stand: every unambiguous one, and each ambiguous one with enough context.

    ``places`` are the jurisdictions the item names (countries, including those inside longer names)."""
    flags = [is_ambiguous(hit, kb) for hit in hits]
    if not any(flags):
        return hits
    clear = [hit for hit, flag in zip(hits, flags, strict=True) if not flag]
    clear_refs = {hit.ref for hit in clear}
    named = places | {kb.regulators[ref].jurisdiction for ref in clear_refs}
    if item.jurisdiction_hint:
        named.add(item.jurisdiction_hint)
    rivals = {(id(hit.field), hit.start, hit.end) for hit in clear}
    kept: list[Found] = []
    for hit, flag in zip(hits, flags, strict=True):
        if flag:
            strong = (
                kb.regulators[hit.ref].jurisdiction in named or hit.ref in clear_refs or hit.ref == item.regulator_hint
            )
            weak = (hit.field.name, hit.sentence) in item.action_sentences
            if not (strong or (weak and (id(hit.field), hit.start, hit.end) not in rivals)):
                continue
        kept.append(hit)
    return kept
