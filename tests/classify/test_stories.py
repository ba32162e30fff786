"""Story grouping: which reports join a story and which start a new one, by feature."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from services.classify.stories import MemoryStories, Report, StoryIndex, headline_words, joins, story_id_for
from services.classify.story_evaluation import bcubed, pairwise

DAY0 = datetime(2024, 1, 31, 12, tzinfo=UTC)


def report(item_id: str, *, days: float = 0, **features: Any) -> Report:
    base: dict[str, object] = {
        "companies": frozenset({"paytm"}), "regulators": frozenset({"in-rbi"}),
        "families": frozenset({"restriction"}), "decisions": frozenset({"restriction"}),
    }  # fmt: skip
    base.update(features)
    title = str(base.pop("title", "RBI halts Paytm Payments Bank"))
    return Report(
        item_id=item_id, published=DAY0 + timedelta(days=days), feed=f"feed-{item_id}", lang="en", link=None,
        title=title, words=headline_words(title), **base,  # type: ignore[arg-type]
    )  # fmt: skip


def assign_all(*reports: Report) -> list[str]:
    index = StoryIndex(MemoryStories())
    return [index.assign(r).story_id for r in reports]


def test_reports_of_one_decision_across_feeds_and_languages_make_one_story() -> None:
    hindi = report("hi", title="आरबीआई का आदेश: पेटीएम पेमेंट्स बैंक", families=frozenset(), decisions=frozenset())
    ids = assign_all(report("en"), hindi, report("explainer", days=1.2, regulators=frozenset()))
    assert ids == [story_id_for("en")] * 3


def test_a_new_decision_about_the_same_company_is_a_new_story() -> None:
    lawsuit = report("sued", families=frozenset({"lawsuit"}), decisions=frozenset({"lawsuit"}))
    settled = report(
        "settled", days=2, families=frozenset({"lawsuit", "settlement"}),
        decisions=frozenset({"settlement", "lawsuit"}), amounts=((Decimal(20_000_000), "USD"),),
    )  # fmt: skip
    assert len(set(assign_all(lawsuit, settled))) == 2


def test_a_story_with_no_decision_yet_takes_the_first_one() -> None:
    preview = report("preview", families=frozenset({"investigation"}), decisions=frozenset())
    assert len(set(assign_all(preview, report("decided", days=0.1)))) == 1


def test_amounts_that_disagree_split_and_agreeing_amounts_join_despite_a_decision_word() -> None:
    fine: dict[str, Any] = {"families": frozenset({"fine"}), "decisions": frozenset({"fine"})}
    first = report("a", amounts=((Decimal("134500000"), "EUR"), (Decimal("68700000"), "EUR")), **fine)
    total = report(
        "b", days=0.05, amounts=((Decimal("200000000"), "EUR"), (Decimal("134500000"), "EUR")),
        families=frozenset({"fine", "settlement"}), decisions=frozenset({"fine", "settlement"}),
    )  # fmt: skip
    other_case = report("c", days=16, amounts=((Decimal("1128000000"), "EUR"),), **fine)
    rounded = report("d", days=16.1, amounts=((Decimal("1100000000"), "EUR"), (Decimal(1_200_000_000), "USD")), **fine)
    ids = assign_all(first, total, other_case, rounded)
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2]


def test_amounts_in_different_currencies_do_not_contradict() -> None:
    cny = report("cny", amounts=((Decimal("18228000000"), "CNY"),))
    usd = report("usd", days=0.1, amounts=((Decimal("2800000000"), "USD"),), regulators=frozenset())
    assert len(set(assign_all(cny, usd))) == 1


def test_another_regulator_or_another_company_is_another_story() -> None:
    sebi = report("sebi", days=0.1, regulators=frozenset({"in-sebi"}))
    other = report("other", days=0.1, companies=frozenset({"phonepe"}))
    assert len(set(assign_all(report("rbi"), sebi, other))) == 3


def test_a_case_outside_the_window_is_another_story() -> None:
    later = report("later", days=31)
    story = StoryIndex(MemoryStories()).assign(report("first"))
    assert not joins(later, story) and joins(report("soon", days=29), story)
    assert len(set(assign_all(report("first"), later))) == 2


def test_items_naming_no_company_join_on_regulator_decision_and_headline_words() -> None:
    rule: dict[str, Any] = {
        "companies": frozenset(), "regulators": frozenset({"us-sec"}), "families": frozenset({"final_rule"}),
        "decisions": frozenset({"final_rule"}),
    }  # fmt: skip
    first = report("r1", title="SEC adopts climate disclosure rules for public companies", **rule)
    same = report("r2", days=0.2, title="SEC adopts long-awaited climate disclosure rules", **rule)
    other = report("r3", days=0.3, title="SEC adopts new rules on money market funds", **rule)
    ids = assign_all(first, same, other)
    assert ids[0] == ids[1] != ids[2]


def test_an_item_seen_again_keeps_its_story() -> None:
    index = StoryIndex(MemoryStories())
    first = index.assign(report("a"))
    index.assign(report("b", days=0.1))
    again = index.assign(report("a"))
    assert again.story_id == first.story_id and [r.item_id for r in again.reports] == ["a", "b"]


def test_pairwise_and_bcubed_scores() -> None:
    gold = {"a": "x", "b": "x", "c": "x", "d": "y"}
    predicted = {"a": "1", "b": "1", "c": "2", "d": "2"}
    pairs = pairwise(predicted, gold)
    assert (pairs.precision, pairs.recall) == (0.5, 1 / 3)
    cubed = bcubed(predicted, gold)
    assert cubed.precision == (1 + 1 + 0.5 + 0.5) / 4
    assert cubed.recall == (2 / 3 + 2 / 3 + 1 / 3 + 1) / 4
    perfect = pairwise(gold, gold)
    assert perfect.f1 == 1.0 and bcubed(gold, gold).f1 == 1.0
