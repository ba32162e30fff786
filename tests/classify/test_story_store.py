"""Stories in the store: the same grouping as in memory, found again after a restart, on both databases."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

import services.classify.models  # noqa: F401  (declares the tables the engine fixture creates)
from services.classify.stories import MemoryStories, Report, StoryIndex
from services.classify.story_store import SqlStories, report_from_json, report_json
from services.pipeline.db import make_session_factory
from tests.classify.test_stories import report

FINE: dict[str, Any] = {"families": frozenset({"fine"}), "decisions": frozenset({"fine"})}


def sequence() -> list[Report]:
    fine = FINE
    return [
        report("a", amounts=((Decimal("134500000"), "EUR"),), **fine),
        report("b", days=0.1, regulators=frozenset(), **fine),
        report("c", days=1, companies=frozenset({"phonepe"})),
        report("d", days=16, amounts=((Decimal("1128000000"), "EUR"),), **fine),
        report("e", days=40),
    ]


def test_a_report_survives_the_store_as_it_was() -> None:
    original = report("x", amounts=((Decimal("1128596156.33"), "EUR"),), title="Amende record pour Amazon")
    assert report_from_json(report_json(original)) == original


def test_the_store_groups_as_memory_does_and_remembers(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    memory = StoryIndex(MemoryStories())
    in_memory = [memory.assign(r).story_id for r in sequence()]
    index = StoryIndex(SqlStories(sessions))
    stored = [index.assign(r).story_id for r in sequence()]
    assert stored == in_memory and len(set(stored)) == 4
    restarted = StoryIndex(SqlStories(sessions))  # a new replica, or the same after a restart
    assert restarted.assign(report("a")).story_id == stored[0]
    late = restarted.assign(report("f", days=0.2, **FINE))
    assert late.story_id == stored[0] and [r.item_id for r in late.reports] == ["a", "b", "f"]


def test_candidates_come_by_company_or_regulator_within_the_window(engine: Engine) -> None:
    store = SqlStories(make_session_factory(engine))
    index = StoryIndex(store)
    for r in sequence():
        index.assign(r)
    window = timedelta(days=30)
    by_company = {
        r.item_id
        for s in store.candidates([report("q", companies=frozenset({"phonepe"}), regulators=frozenset())], window)
        for r in s.reports
    }
    assert by_company == {"c"}
    far = store.candidates([report("z", days=100)], window)
    assert far == []


def test_a_report_naming_companies_loads_only_the_stories_it_may_join(engine: Engine) -> None:
    store = SqlStories(make_session_factory(engine))
    index = StoryIndex(store)
    index.assign(report("other", companies=frozenset({"phonepe"})))  # the same regulator's case against another
    index.assign(report("bare", companies=frozenset(), title="New rules for lenders announced"))  # names none
    window = timedelta(days=30)
    loaded = {r.item_id for s in store.candidates([report("p")], window) for r in s.reports}
    assert loaded == {"bare"}  # a story naming another company can never take it: not loaded
    nameless = report("n", companies=frozenset())
    assert {r.item_id for s in store.candidates([nameless], window) for r in s.reports} == {"other", "bare"}


def test_a_batch_groups_as_one_report_after_another(engine: Engine) -> None:
    later = report("g", days=16.5, amounts=((Decimal("1128000000"), "EUR"),), **FINE)  # joins d, of the same batch
    reports = [*sequence(), report("a"), report("f", days=0.2, **FINE), later]
    memory = StoryIndex(MemoryStories())
    memory.assign(reports[0])
    expected = [memory.assign(r) for r in reports[1:]]
    stored = StoryIndex(SqlStories(make_session_factory(engine)))
    stored.assign(reports[0])  # recorded before the batch: "a" keeps its story
    got = stored.assign_all(reports[1:])
    assert [s.story_id for s in got] == [s.story_id for s in expected]
    assert len({s.story_id for s in got}) == 4
    as_it_was = [[r.item_id for r in s.reports] for s in got]  # each story as it was when its report joined
    assert as_it_was == [[r.item_id for r in s.reports] for s in expected]
    assert as_it_was[0] == ["a", "b"] and as_it_was[-1] == ["d", "g"]
    again = StoryIndex(SqlStories(make_session_factory(engine))).assign_all(reports)  # all redelivered
    assert [s.story_id for s in again] == [s.story_id for s in [got[0], *got]]
