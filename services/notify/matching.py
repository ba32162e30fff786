"""Matching classified items to subscriptions through an inverted index (pure, no I/O).

Each subscription is filed under one *anchor* filter, its most selective non-empty one (watchlist
entities, companies, keywords, regulators, jurisdictions, actions, languages); subscriptions without any
filter sit on a wildcard list. An item looks up only the postings of its own tags, and each candidate is
then checked against all of its filters, so the cost per item follows the number of candidates, not the
number of subscriptions. Within a filter any value matches; across filters all must match.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from services.notify.phrases import PhraseFinder, normalise
from services.notify.schemas import Filters
from services.pipeline.events import ClassifiedItem, Tags

# Anchor preference, most selective first.
ANCHORS = ("watchlist", "companies", "keywords", "regulators", "jurisdictions", "actions", "languages")
# Broad filters (few distinct values, each shared by many items): a rule with two of them is filed under
# their pairs, which are far more selective than either alone.
BROAD = ("jurisdictions", "actions", "languages")
MAX_PAIRS = 64
SCORED = frozenset({"companies", "regulators", "actions"})


def with_parents(codes: Iterable[str]) -> frozenset[str]:
    """Codes plus their primary part: "us-ny" also counts as "us", "pt-br" as "pt"."""
    out: set[str] = set()
    for code in codes:
        norm = normalise(code).replace("_", "-")
        if norm:
            out.add(norm)
            out.add(norm.split("-", 1)[0])
    return frozenset(out)


@dataclass(frozen=True)
class Rule:
    """A subscription's filters in normalised form."""

    subscription_id: str
    tenant_id: str
    companies: frozenset[str]
    regulators: frozenset[str]
    actions: frozenset[str]
    jurisdictions: frozenset[str]
    languages: frozenset[str]
    keywords: frozenset[str]
    watchlist: frozenset[str]
    watchlist_any: bool
    min_confidence: float
    min_amount: tuple[Decimal, str] | None = None  # value, currency: checked after the index, never indexed
    # What is left to check once the index offered the rule (its anchor filters are known to match).
    residual: tuple[tuple[str, frozenset[str], bool], ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def from_filters(cls, subscription_id: str, tenant_id: str, filters: Filters) -> Rule:
        """Normalise a subscription's filters."""
        watch_any = filters.watchlist and not filters.watchlist_entities
        rule = cls(
            subscription_id=subscription_id,
            tenant_id=tenant_id,
            companies=frozenset(normalise(v) for v in filters.companies),
            regulators=frozenset(normalise(v) for v in filters.regulators),
            actions=frozenset(a.value for a in filters.actions),
            jurisdictions=frozenset(normalise(v).replace("_", "-") for v in filters.jurisdictions),
            languages=frozenset(normalise(v).replace("_", "-") for v in filters.languages),
            keywords=frozenset(k for k in (normalise(v) for v in filters.keywords) if k),
            watchlist=frozenset(filters.watchlist_entities),
            watchlist_any=watch_any,
            min_confidence=filters.min_confidence,
            min_amount=(filters.min_amount.value, filters.min_amount.currency) if filters.min_amount else None,
        )
        return replace(rule, residual=rule.residual_checks())

    def residual_checks(self) -> tuple[tuple[str, frozenset[str], bool], ...]:
        """(filter, values, scored) of the filters a candidate from the index must still pass: all but
        the anchor's (a scored anchor too when a minimum confidence applies)."""
        anchor = self.anchor()
        anchored = set(anchor[0].split("+")) if anchor else set()
        checks = []
        for name in ("companies", "regulators", "actions", "jurisdictions", "languages", "keywords"):
            values: frozenset[str] = getattr(self, name)
            scored = name in SCORED
            if values and (name not in anchored or (scored and self.min_confidence > 0)):
                checks.append((name, values, scored))
        return tuple(checks)

    def anchor(self) -> tuple[str, Iterable[str]] | None:
        """The filter this rule is indexed under, with its posting keys; None for a match-all rule."""
        if self.watchlist_any:
            return "watchlist_any", [self.tenant_id]
        for name in ANCHORS:
            values: frozenset[str] = getattr(self, name)
            if not values:
                continue
            if name in BROAD:
                return self._broad_anchor(name, values)
            keys = [f"{self.tenant_id}\x00{v}" for v in values] if name == "watchlist" else values
            return name, keys
        return None

    def _broad_anchor(self, name: str, values: frozenset[str]) -> tuple[str, Iterable[str]]:
        """A pair of broad filters when the rule has two (and not too many pairs), else ``name`` alone."""
        others = [other for other in BROAD[BROAD.index(name) + 1 :] if getattr(self, other)]
        if others:
            second: frozenset[str] = getattr(self, others[0])
            if len(values) * len(second) <= MAX_PAIRS:
                return f"{name}+{others[0]}", [f"{a}\x00{b}" for a in values for b in second]
        return name, values


@dataclass(frozen=True)
class Features:
    """What an item offers to the filters, normalised once per item."""

    companies: dict[str, float]
    regulators: dict[str, float]
    actions: dict[str, float]
    jurisdictions: frozenset[str]
    languages: frozenset[str]
    keywords: frozenset[str]
    watchlist: dict[str, frozenset[str]]  # tenant id -> entity ids
    amount: tuple[Decimal, str] | None = None  # value, currency


def _best(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    best: dict[str, float] = {}
    for key, confidence in pairs:
        if key and confidence > best.get(key, -1.0):
            best[key] = confidence
    return best


def features_of(
    item: ClassifiedItem,
    keywords: KeywordFinder | None = None,
    watchlist: Mapping[str, Iterable[str]] | None = None,
) -> Features:
    """Normalise an item's tags (and find the indexed keywords in its title and summary); ``watchlist``
    holds the entity ids found in the item, by tenant."""
    return features_from(item.item.title, item.item.summary, item.tags, keywords, watchlist)


def features_from(
    title: str,
    summary: str,
    tags: Tags,
    keywords: KeywordFinder | None = None,
    watchlist: Mapping[str, Iterable[str]] | None = None,
) -> Features:
    """:func:`features_of` for an item given as its title, summary and tags."""
    regulator_keys = (
        (normalise(key), r.confidence) for r in tags.regulators for key in (r.id, r.name, r.acronym or "")
    )
    return Features(
        companies=_best((normalise(key), c.confidence) for c in tags.companies for key in (c.id, c.name)),
        regulators=_best(regulator_keys),
        actions=_best((a.type.value, a.confidence) for a in tags.actions),
        jurisdictions=with_parents([*tags.jurisdictions, *(r.jurisdiction for r in tags.regulators)]),
        languages=with_parents([tags.language]),
        keywords=keywords.find(f"{title}\n{summary}") if keywords else frozenset(),
        watchlist={tenant: frozenset(ids) for tenant, ids in (watchlist or {}).items()},
        amount=(tags.amount.value, tags.amount.currency) if tags.amount else None,
    )


def enough_amount(rule: Rule, item: Features) -> bool:
    """The item states at least the rule's minimum amount, in the same currency (no exchange rates)."""
    if rule.min_amount is None:
        return True
    minimum, currency = rule.min_amount
    return item.amount is not None and item.amount[1] == currency and item.amount[0] >= minimum


def _confident(values: frozenset[str], offered: dict[str, float], minimum: float) -> bool:
    if minimum <= 0.0:
        return not values.isdisjoint(offered.keys())
    for value in values:
        confidence = offered.get(value)
        if confidence is not None and confidence >= minimum:
            return True
    return False


def matches(rule: Rule, item: Features) -> bool:
    """True when the item passes every non-empty filter of the rule."""
    floor = rule.min_confidence
    if rule.companies and not _confident(rule.companies, item.companies, floor):
        return False
    if rule.regulators and not _confident(rule.regulators, item.regulators, floor):
        return False
    if rule.actions and not _confident(rule.actions, item.actions, floor):
        return False
    if rule.jurisdictions and rule.jurisdictions.isdisjoint(item.jurisdictions):
        return False
    if rule.languages and rule.languages.isdisjoint(item.languages):
        return False
    if rule.keywords and rule.keywords.isdisjoint(item.keywords):
        return False
    own_hits = item.watchlist.get(rule.tenant_id, frozenset())
    if (rule.watchlist_any and not own_hits) or not enough_amount(rule, item):
        return False
    return not (rule.watchlist and rule.watchlist.isdisjoint(own_hits))


class KeywordFinder:
    """Finds, in one pass, which of many keywords occur as whole words in a text."""

    def __init__(self, keywords: Iterable[str]) -> None:
        self._finder = PhraseFinder((k, k) for k in keywords if k)

    def find(self, text: str) -> frozenset[str]:
        """The keywords (in normalised form) found in ``text``."""
        return frozenset(self._finder.find(text))


class MatchIndex:
    """Subscriptions filed by anchor; built once per change of the subscription set."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.postings: dict[str, dict[str, list[Rule]]] = defaultdict(lambda: defaultdict(list))
        self.wildcard: list[Rule] = []
        self.size = 0
        keywords: set[str] = set()
        for rule in rules:
            self.size += 1
            keywords.update(rule.keywords)
            anchor = rule.anchor()
            if anchor is None:
                self.wildcard.append(rule)
                continue
            name, keys = anchor
            for key in keys:
                self.postings[name][key].append(rule)
        self.keywords = KeywordFinder(keywords)

    def candidates(self, item: Features) -> dict[str, Rule]:
        """Rules filed under one of the item's values, plus the match-all rules, by subscription id."""
        found: dict[str, Rule] = {rule.subscription_id: rule for rule in self.wildcard}
        wanted: dict[str, Iterable[str]] = {
            "companies": item.companies,
            "regulators": item.regulators,
            "actions": item.actions,
            "jurisdictions": item.jurisdictions,
            "languages": item.languages,
            "keywords": item.keywords,
            "watchlist": [f"{t}\x00{e}" for t, ids in item.watchlist.items() for e in ids],
            "watchlist_any": item.watchlist,
        }
        for name, postings in self.postings.items():
            first, _, second = name.partition("+")
            keys = wanted[first]
            if second:
                keys = [f"{a}\x00{b}" for a in keys for b in wanted[second]]
            for key in keys:
                for rule in postings.get(key, ()):
                    found[rule.subscription_id] = rule
        return found


def _passes_residual(rule: Rule, item: Features) -> bool:
    """``matches`` for a rule the index offered: only the filters its anchor did not settle."""
    for name, values, scored in rule.residual:
        offered = getattr(item, name)
        if scored:
            if not _confident(values, offered, rule.min_confidence):
                return False
        elif values.isdisjoint(offered):
            return False
    return True


def match(item: ClassifiedItem, index: MatchIndex, watchlist: Mapping[str, Iterable[str]] | None = None) -> list[Rule]:
    """The subscriptions an item matches, in no particular order (``watchlist``: as in :func:`features_of`)."""
    offered = features_of(item, index.keywords, watchlist)
    return [
        rule for rule in index.candidates(offered).values()
        if _passes_residual(rule, offered) and enough_amount(rule, offered)
    ]  # fmt: skip
