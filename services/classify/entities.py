"""Regulators, companies and countries named in an item, with the rules for ambiguous names.

- The longest name wins an overlap, so a regulator's name is never also a company ("Comisión Federal de
  Competencia" is not the company "Comisión Federal"), and a product inside a company name is no product.
- An acronym followed by a number is an index or a product, not a body: "CAC 40", "SARS-CoV-2".
- A name the knowledge base spells with capitals does not match a lower-case word: apple, shell, orange.
- An ambiguous company (Apple, Shell, Meta, Post, Visa) needs context: a regulator or an action in the item,
  or another, unambiguous name of the same company; "Meta-" is a prefix; a mention only at the start of a
  sentence needs a second one.
- A product seen as a channel ("posted on Weibo", 在微博发文) does not make its owner a subject.
- Names shared by several entries go to the one the item's countries and language point to, then to the
  dominant owner of a shared acronym (the one not flagged as ambiguous), never by knowledge-base order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from services.classify import context
from services.classify.ambiguity import ItemContext, in_context, is_ambiguous
from services.classify.automaton import is_acronym
from services.classify.fields import EvidenceData, Field, Found, TagData, found, longest_only
from services.classify.kb import KnowledgeBase
from services.classify.normalise import fold
from services.classify.orgs import CONFIDENCE as PATTERN_CONFIDENCE
from services.classify.orgs import (
    POSITION_CONFIDENCE,
    Organisation,
    by_position,
    find_organisations,
    former_name,
    is_subsidiary,
)
from services.classify.parties import merger_parties, merger_prepositions

LANGUAGE_COUNTRIES: dict[str, frozenset[str]] = {
    "en": frozenset({"US", "GB", "IE", "AU", "CA", "NZ", "IN", "SG", "EU", "INT"}),
    "fr": frozenset({"FR", "CH", "BE", "LU", "CA", "MC", "EU"}), "de": frozenset({"DE", "AT", "CH", "LI", "LU", "EU"}),
    "it": frozenset({"IT", "CH", "SM", "EU"}), "es": frozenset({"ES", "MX", "AR", "CO", "CL", "PE", "EU"}),
    "pt": frozenset({"PT", "BR", "EU"}), "nl": frozenset({"NL", "BE", "EU"}), "zh": frozenset({"CN", "TW", "HK", "SG"}),
    "ja": frozenset({"JP"}), "ko": frozenset({"KR"}),
}  # fmt: skip
MAX_EVIDENCE = 5
# Scores of the candidates for one span of text: a body or company of a country the item names beats one of
# the item's language area, which beats the dominant owner of a shared acronym (the one whose form is not
# flagged as ambiguous: the US SEC for "SEC"), which beats the rest.
PLACE_WEIGHT = 2.0
LOCAL_WEIGHT = 1.0
DOMINANT_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Entities:
    """What :func:`extract_entities` found: the fields of RegulatorTag and CompanyTag, and country codes."""

    regulators: list[TagData]
    companies: list[TagData]
    countries: list[str]


def _choose(spans: dict[tuple[int, int, int], list[Found]], score: Callable[[Found], float]) -> list[Found]:
    """One hit per span: the candidate with the best score (ties, which context did not settle: the smaller
    id, so that the order of the knowledge-base files never decides)."""
    chosen: list[Found] = []
    for candidates in spans.values():
        if len(candidates) == 1 or len({hit.ref for hit in candidates}) == 1:
            chosen.append(candidates[0])
        else:
            chosen.append(min(candidates, key=lambda hit: (-score(hit), hit.ref)))
    return chosen


def _grouped(
    hits: list[Found], key: Callable[[Found], str], confidence: Callable[[Found], float]
) -> list[tuple[str, float, list[EvidenceData]]]:
    """(id, best confidence, evidence) per id, title hits first, then in text order."""
    groups: dict[str, tuple[float, list[EvidenceData]]] = {}
    for hit in sorted(hits, key=lambda h: (h.field.name != "title", h.start)):
        ref = key(hit)
        best, evidence = groups.get(ref, (0.0, []))
        if len(evidence) < MAX_EVIDENCE:
            evidence.append(hit.evidence())
        groups[ref] = (max(best, confidence(hit)), evidence)
    return [(ref, best, evidence) for ref, (best, evidence) in groups.items()]


def _by_span(hits: Iterable[Found]) -> dict[tuple[int, int, int], list[Found]]:
    spans: dict[tuple[int, int, int], list[Found]] = {}
    for hit in hits:
        spans.setdefault((id(hit.field), hit.start, hit.end), []).append(hit)
    return spans


def _without_appositives(hits: list[Found]) -> list[Found]:
    """A full name followed by another body's acronym names that body: "Federal Communications Commission ComCom"."""
    acronyms_at: dict[tuple[int, int], set[str]] = {}
    for hit in hits:
        if is_acronym(hit.alias):
            acronyms_at.setdefault((id(hit.field), hit.start), set()).add(hit.ref)
    if not acronyms_at:
        return hits
    kept: list[Found] = []
    for hit in hits:
        if not is_acronym(hit.alias):
            field_id = id(hit.field)
            following = [refs for gap in range(3) if (refs := acronyms_at.get((field_id, hit.end + gap)))]
            if following and not any(hit.ref in refs for refs in following):
                continue
        kept.append(hit)
    return kept


def _regulator_tags(
    hits: list[Found], kb: KnowledgeBase, places: set[str], lang: str, item: ItemContext, named: set[str]
) -> list[TagData]:
    hits = [h for h in hits if not (is_acronym(h.alias) and context.NUMBER_AFTER.match(context.after(h)))]
    hits = in_context([h for h in hits if not context.in_dateline(h)], kb, item, named)
    hits = _without_appositives(hits)
    counts: dict[str, float] = {}
    for hit in hits:
        counts[hit.ref] = counts.get(hit.ref, 0) + (1 if is_acronym(hit.alias) else 2)
    local = LANGUAGE_COUNTRIES.get(lang, frozenset())
    if item.jurisdiction_hint:
        places = places | {item.jurisdiction_hint}

    def score(hit: Found) -> float:
        jurisdiction = kb.regulators[hit.ref].jurisdiction
        return (
            counts.get(hit.ref, 0) + PLACE_WEIGHT * (jurisdiction in places) + LOCAL_WEIGHT * (jurisdiction in local)
            + DOMINANT_WEIGHT * (not is_ambiguous(hit, kb))
        )  # fmt: skip

    chosen = _choose(_by_span(hits), score)
    tags: list[TagData] = []
    for ref, confidence, evidence in _grouped(
        chosen, lambda hit: _national(hit.ref, kb), lambda hit: 0.9 if is_acronym(hit.alias) else 0.95
    ):
        regulator = kb.regulators[ref]
        acronym = regulator.acronyms[0] if regulator.acronyms else None
        tags.append({"id": ref, "name": regulator.name, "acronym": acronym, "jurisdiction": regulator.jurisdiction,
                     "confidence": confidence, "evidence": evidence})  # fmt: skip
    return tags


def _national(ref: str, kb: KnowledgeBase) -> str:
    """A regional bureau (id ``cn-csrc-guangdong``, parent ``cn-csrc``) reports as its national body."""
    parent = kb.regulators[ref].parent
    if parent and parent in kb.regulators and ref.startswith(parent + "-"):
        return parent
    return ref


def _company_ok(hit: Found, kb: KnowledgeBase, in_context: bool, same: list[Found]) -> bool:
    """Whether a company hit that is no common word names the company here."""
    before = context.before(hit)
    if hit.kind == "product" and context.CHANNEL_BEFORE.search(before):
        return False
    if before.rstrip().endswith(("在", "通过", "透过")) or context.cited_as_source(hit) or not context.cjk_word_ok(hit):
        return False
    company = kb.companies[hit.ref]
    if not company.ambiguous:
        return True
    if context.PREFIX_AFTER.match(context.after(hit)):
        return False  # Meta-analyse, Post-Covid
    own = context.alias_key(hit.alias)
    unambiguous_alias = any(context.alias_key(h.alias) != own for h in same)
    if unambiguous_alias:
        return True
    if all(context.sentence_initial(h) for h in same) and len(same) < 2:
        return False
    return in_context


def _company_tags(hits: list[Found], kb: KnowledgeBase, places: set[str], lang: str, in_context: bool) -> list[TagData]:
    by_ref: dict[str, list[Found]] = {}
    names = [h for h in hits if not context.common_word(h)]  # apple, shell, "l'avis": the common word
    for hit in names:
        by_ref.setdefault(hit.ref, []).append(hit)
    kept = [h for h in names if _company_ok(h, kb, in_context, by_ref[h.ref])]
    counts: dict[str, int] = {}
    for hit in kept:
        counts[hit.ref] = counts.get(hit.ref, 0) + 1
    local = LANGUAGE_COUNTRIES.get(lang, frozenset())

    def score(hit: Found) -> float:
        country = kb.companies[hit.ref].country
        return counts[hit.ref] + PLACE_WEIGHT * (country in places) + LOCAL_WEIGHT * (country in local)

    def confidence(hit: Found) -> float:
        return 0.75 if hit.kind == "product" else 0.7 if kb.companies[hit.ref].ambiguous else 0.9

    chosen = _choose(_by_span(kept), score)
    return [
        {"id": ref, "name": kb.companies[ref].name, "confidence": best, "evidence": evidence}
        for ref, best, evidence in _grouped(chosen, lambda hit: hit.ref, confidence)
    ]


def subsidiaries(
    fields: tuple[Field, ...], legal: dict[str, list[Organisation]], hits: list[Found], others: list[Found]
) -> list[Found]:
    """The company hits that are only the first words of a longer name with a legal form ("Allianz" in
    "Allianz Lebensversicherungs-AG", "Janssen" in "Janssen-Cilag AG"): that name is another company (a
    subsidiary), not its parent. A name that also holds another known entity (``others``: a regulator, a
    second company) is words run together, not one name. ``legal``: each field's names with a legal form."""
    absorbed = []
    for item_field in fields:
        for org in legal[item_field.name]:
            name_end = org.start + len(org.name)
            inside = [
                (hit, item_field.text.span(hit.start, hit.end)) for hit in (*hits, *others)
                if hit.field is item_field and org.start <= item_field.text.to_original(hit.start) < name_end
            ]  # fmt: skip
            if len(inside) != 1 or inside[0][0].kind not in ("company", "product"):
                continue
            hit, (start, end) = inside[0]
            words = org.name[: start - org.start] + " " + org.name[end - org.start :]
            if start == org.start and end <= org.end and is_subsidiary(words):
                absorbed.append(hit)
    return absorbed


def _candidates(
    item_field: Field, by_form: list[Organisation], taken: list[Found], lang: str, absorbed: list[Found],
    item_text: str,
) -> list[tuple[Organisation, float]]:  # fmt: skip
    """Organisations by legal form, then (title only) by their place beside an action verb; none that
    overlaps a known name (a country's name is part of many a company's name, not of a headline's subject),
    unless the name is a subsidiary's (``absorbed``: the known names it starts with)."""
    by_place: list[Organisation] = []
    if item_field.name == "title":
        triggers = [item_field.text.span(h.start, h.end) for h in item_field.hits if h.entries[0].kind == "action"]
        by_place = by_position(item_field.text.original, triggers, lang, item_text)
    cues = [h for h in item_field.hits if any(e.ref == "_merger" for e in h.entries)]
    if cues:
        mergers = sorted({item_field.sentence(h.start) for h in cues})
        spans = [item_field.text.span(item_field.sentence_starts[i], item_field.sentence_end(i)) for i in mergers]
        bodies = [
            item_field.text.span(h.start, h.end) for h in taken if h.field is item_field and h.kind == "regulator"
        ]
        by_place += merger_parties(item_field.text.original, spans, lang, bodies)
        after = [item_field.text.span(h.end, item_field.sentence_end(item_field.sentence(h.start))) for h in cues]
        by_place += merger_prepositions(item_field.text.original, after, lang)
    if not by_form and not by_place:
        return []
    known = [h for h in taken if h.field is item_field]
    entities = [
        item_field.text.span(h.start, h.end) for h in known
        if h.kind != "country" and not any(h is a for a in absorbed)
    ]  # fmt: skip
    everything = [item_field.text.span(h.start, h.end) for h in known]
    found = [(org, PATTERN_CONFIDENCE, entities) for org in by_form]
    found += [(org, POSITION_CONFIDENCE, everything) for org in by_place]
    return [
        (org, confidence) for org, confidence, spans in found
        if not any(start < org.end and org.start < end for start, end in spans)
    ]  # fmt: skip


def _pattern_tags(
    fields: tuple[Field, ...], legal: dict[str, list[Organisation]], taken: list[Found], regulator_ids: list[str],
    kb: KnowledgeBase, lang: str, absorbed: list[Found],
) -> list[TagData]:  # fmt: skip
    tags: dict[str, TagData] = {}
    companies = {hit.ref for hit in taken if hit.kind in ("company", "product") and not any(hit is a for a in absorbed)}
    item_text = "\n".join(item_field.text.original for item_field in fields)
    for item_field in fields:
        for org, confidence in _candidates(item_field, legal[item_field.name], taken, lang, absorbed, item_text):
            if former_name(item_field.text.original, org.start):
                continue  # "Imperial Food B.V. (voorheen NOPN B.V.)": one company
            folded = fold(org.name)
            if " " not in org.name and any(folded in kb.company_words(ref) for ref in companies):
                continue  # "Poste" beside "la Poste suisse": a known company's own word
            if any(folded in kb.folded_regulator_names(key) for key in regulator_ids):
                continue  # the regulator's own name in a form the automaton did not list
            key = next((k for k in tags if k.startswith(org.id) or org.id.startswith(k)), org.id)
            tag = tags.setdefault(
                key, {"id": org.id, "name": org.name, "confidence": confidence, "evidence": [], "source": "pattern"}
            )
            if len(tag["evidence"]) < MAX_EVIDENCE:
                tag["evidence"].append({"text": item_field.text.original[org.start : org.end],
                                        "field": item_field.name, "start": org.start, "end": org.end})  # fmt: skip
            tag["confidence"] = max(tag["confidence"], confidence)
    return list(tags.values())


def _named_places(every: list[Found], countries: list[str]) -> set[str]:
    """Countries the item names, those inside longer names too ("Antitrust Usa", "Swiss Federal ...")."""
    nested = {h.ref for h in every if h.kind == "country" and h.ref not in countries and not context.common_word(h)}
    return nested.union(countries)


ENTITY_KINDS = frozenset({"regulator", "company", "product", "country"})


def extract_entities(
    fields: tuple[Field, ...], kb: KnowledgeBase, lang: str, item: ItemContext, hits: list[Found] | None = None
) -> Entities:
    """Regulators, companies (known, then by legal form) and mentioned countries of an item. ``hits``: the
    item's hits found once for every rule; only those of :data:`ENTITY_KINDS` are read."""
    every = found(fields, ENTITY_KINDS) if hits is None else [h for h in hits if h.kind in ENTITY_KINDS]
    hits = longest_only(every)
    countries = list(dict.fromkeys(h.ref for h in hits if h.kind == "country" and not context.common_word(h)))
    places = set(countries)
    regulator_hits = [h for h in hits if h.kind == "regulator"]
    named = _named_places(every, countries) if regulator_hits else places
    regulators = _regulator_tags(regulator_hits, kb, places, lang, item, named)
    places |= {tag["jurisdiction"] for tag in regulators}
    in_context = bool(item.action_sentences) or bool(regulators)
    company_hits = [h for h in hits if h.kind in ("company", "product")]
    legal: dict[str, list[Organisation]] = {f.name: find_organisations(f.text.original) for f in fields}
    absorbed = subsidiaries(fields, legal, company_hits, [h for h in hits if h.kind == "regulator"])
    parents = [h for h in company_hits if not any(h is a for a in absorbed)]
    companies = _company_tags(parents, kb, places, lang, in_context)
    taken = [h for h in hits if h.kind in ("company", "product", "regulator", "country")]
    companies += _pattern_tags(fields, legal, taken, [tag["id"] for tag in regulators], kb, lang, absorbed)
    return Entities(regulators, companies, countries)
