"""Matching semantics (any within a filter, all across filters, empty matches all) and index == linear scan."""

from __future__ import annotations

import random

import pytest

from services.notify.matching import KeywordFinder, MatchIndex, Rule, features_of, match, matches, normalise
from services.notify.schemas import Filters
from services.pipeline.events import ActionType
from tests.notify.conftest import make_item


def rule(sub_id: str = "s1", tenant: str = "t1", **filters: object) -> Rule:
    return Rule.from_filters(sub_id, tenant, Filters.model_validate(filters))


def matched(item: object, *rules: Rule, watchlist: dict[str, list[str]] | None = None) -> set[str]:
    return {r.subscription_id for r in match(item, MatchIndex(rules), watchlist)}  # type: ignore[arg-type]


def test_empty_filters_match_everything() -> None:
    assert matched(make_item(), rule()) == {"s1"}
    assert matched(make_item(companies=[], regulators=[], actions=[]), rule()) == {"s1"}


@pytest.mark.parametrize("value", ["acme", "Acme Corp", "ACME CORP", "  acme   corp "])
def test_company_by_kb_id_or_name_case_insensitive(value: str) -> None:
    assert matched(make_item(), rule(companies=[value])) == {"s1"}


def test_accent_insensitive_names() -> None:
    item = make_item(companies=[("soc-gen", "Société Générale", 0.9)])
    assert matched(item, rule(companies=["societe generale"])) == {"s1"}
    assert matched(make_item(), rule(companies=["société générale"])) == set()


def test_any_value_within_a_filter_all_filters_across() -> None:
    item = make_item()  # Acme, SEC, fine, US, en
    assert matched(item, rule(companies=["Other", "acme"])) == {"s1"}
    assert matched(item, rule(companies=["acme"], actions=["fine"], regulators=["SEC"])) == {"s1"}
    assert matched(item, rule(companies=["acme"], actions=["ban"])) == set()
    assert matched(item, rule(companies=["acme"], languages=["fr"])) == set()


def test_regulator_by_acronym_id_or_name() -> None:
    for value in ("SEC", "sec", "Securities and Exchange Commission"):
        assert matched(make_item(), rule(regulators=[value])) == {"s1"}


def test_min_confidence_ignores_weak_tags() -> None:
    item = make_item(companies=[("acme", "Acme Corp", 0.4)], actions=[("fine", 0.9)])
    assert matched(item, rule(companies=["acme"], min_confidence=0.5)) == set()
    assert matched(item, rule(actions=["fine"], min_confidence=0.5)) == {"s1"}
    assert matched(item, rule(companies=["acme"], min_confidence=0.4)) == {"s1"}


def test_jurisdiction_and_language_codes_match_their_parents() -> None:
    item = make_item(jurisdictions=["US-NY"], regulators=[], language="pt-BR")
    assert matched(item, rule(jurisdictions=["US"])) == {"s1"}
    assert matched(item, rule(jurisdictions=["us-ny"])) == {"s1"}
    assert matched(item, rule(jurisdictions=["US-CA"])) == set()
    assert matched(item, rule(languages=["pt"])) == {"s1"}
    assert matched(item, rule(languages=["pt_BR"])) == {"s1"}


def test_regulator_jurisdiction_counts_as_item_jurisdiction() -> None:
    item = make_item(jurisdictions=[])
    assert matched(item, rule(jurisdictions=["US"])) == {"s1"}


def test_keywords_are_whole_words_case_and_accent_insensitive() -> None:
    item = make_item(title="Régulateur: amende pour Crédit Agricole", summary="Data-protection probe")
    assert matched(item, rule(keywords=["credit agricole"])) == {"s1"}
    assert matched(item, rule(keywords=["AMENDE"])) == {"s1"}
    assert matched(item, rule(keywords=["data"])) == {"s1"}
    assert matched(item, rule(keywords=["amend"])) == set()
    assert matched(item, rule(keywords=["protect"])) == set()


def test_keyword_finder_reports_each_keyword_once() -> None:
    finder = KeywordFinder(["fine", "sec fine"])
    assert finder.find("SEC fine, another fine") == {"fine", "sec fine"}
    assert KeywordFinder([]).find("anything") == frozenset()


def test_watchlist_hits_match_only_their_tenant() -> None:
    item, hits = make_item(), {"t1": ["e1"]}
    assert matched(item, rule("own", "t1", watchlist_entities=["e1"]), watchlist=hits) == {"own"}
    assert matched(item, rule("own-any", "t1", watchlist=True), watchlist=hits) == {"own-any"}
    assert matched(item, rule("other", "t2", watchlist_entities=["e1"]), watchlist=hits) == set()
    assert matched(item, rule("other-any", "t2", watchlist=True), watchlist=hits) == set()
    assert matched(item, rule("own-wrong", "t1", watchlist_entities=["e2"]), watchlist=hits) == set()
    assert matched(item, rule("own-any", "t1", watchlist=True)) == set()


def test_normalise() -> None:
    assert normalise("  Société\tGÉNÉRALE ") == "societe generale"


def _random_filters(rng: random.Random) -> dict[str, object]:
    choices = {
        "companies": ["acme", "Globex", "initech", "Umbrella"],
        "regulators": ["SEC", "fca", "BaFin"],
        "actions": [a.value for a in (ActionType.FINE, ActionType.BAN, ActionType.SETTLEMENT)],
        "jurisdictions": ["US", "GB", "DE"],
        "languages": ["en", "de"],
        "keywords": ["fine", "probe", "bank"],
    }
    filters: dict[str, object] = {}
    for name, values in choices.items():
        if rng.random() < 0.35:
            filters[name] = rng.sample(values, rng.randint(1, 2))
    if rng.random() < 0.2:
        filters["min_confidence"] = rng.choice([0.5, 0.8])
    if rng.random() < 0.1:
        key, value = rng.choice([("watchlist", True), ("watchlist_entities", ["e1"]), ("watchlist_entities", ["e2"])])
        filters[key] = value
    return filters


def _random_item(rng: random.Random, n: int) -> tuple[dict[str, list[str]], object]:
    companies = [("acme", "Acme", 0.9), ("globex", "Globex", 0.6), ("initech", "Initech", 0.3)]
    regulators = [("sec", "SEC body", "SEC", "US", 0.9), ("fca", "FCA body", "FCA", "GB", 0.7)]
    hits = dict(rng.sample([("t1", ["e1"]), ("t2", ["e2"])], rng.randint(0, 1)))
    return hits, make_item(
        f"i{n}",
        title=rng.choice(["Bank fined", "Probe opened", "Nothing here"]),
        companies=rng.sample(companies, rng.randint(0, 2)),
        regulators=rng.sample(regulators, rng.randint(0, 1)),
        actions=rng.sample([("fine", 0.9), ("ban", 0.6), ("settlement", 0.4)], rng.randint(0, 2)),
        jurisdictions=rng.sample(["US", "GB", "DE"], rng.randint(0, 1)),
        language=rng.choice(["en", "de"]),
    )


def test_index_agrees_with_a_linear_scan() -> None:
    rng = random.Random(7)
    rules = [rule(f"s{i}", rng.choice(["t1", "t2"]), **_random_filters(rng)) for i in range(600)]
    index = MatchIndex(rules)
    for n in range(150):
        hits, item = _random_item(rng, n)
        offered = features_of(item, index.keywords, hits)  # type: ignore[arg-type]
        expected = {r.subscription_id for r in rules if matches(r, offered)}
        assert {r.subscription_id for r in match(item, index, hits)} == expected  # type: ignore[arg-type]


def test_broad_filters_are_indexed_by_their_pairs() -> None:
    pair = rule("pair", jurisdictions=["US", "GB"], actions=["fine"], languages=["en"])
    assert pair.anchor() is not None and pair.anchor()[0] == "jurisdictions+actions"  # type: ignore[index]
    index = MatchIndex([pair])
    assert {r.subscription_id for r in match(make_item(jurisdictions=["US-NY"], regulators=[]), index)} == {"pair"}
    assert match(make_item(actions=[("ban", 0.9)]), index) == []
    assert match(make_item(jurisdictions=["DE"], regulators=[]), index) == []
    assert match(make_item(language="fr"), index) == []
