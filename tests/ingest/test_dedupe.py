"""Dedupe decisions, without a store: new, unchanged, update, rewritten guid, archived, duplicates in a feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.ingest.dedupe import StoredItem, decide
from services.ingest.normalise import content_hash
from services.pipeline.events import RawItem

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@dataclass
class Stored:
    id: str
    link: str | None
    content_hash: str
    revision: int = 1
    pending: bool = False
    acked_at: datetime | None = NOW


def raw(item_id: str, *, title: str = "T", link: str | None = None, hours: float = 1) -> RawItem:
    return RawItem(
        item_id=item_id,
        feed_id="f",
        feed_url="https://e/f",
        title=title,
        link=link,
        published_at=NOW - timedelta(hours=hours),
        first_seen_at=NOW,
    )


def index(*stored: Stored) -> tuple[dict[str, StoredItem], dict[str, StoredItem]]:
    return {s.id: s for s in stored}, {s.link: s for s in stored if s.link}


def test_new_unchanged_and_update() -> None:
    by_id, by_link = index(Stored("a", None, content_hash("T", "")), Stored("b", None, content_hash("old", ""), 2))
    decisions = decide([raw("a"), raw("b", title="new"), raw("c")], by_id, by_link, backfill_since=None)
    assert [(d.kind, d.item.item_id, d.item.revision, d.item.is_update) for d in decisions] == [
        ("unchanged", "a", 1, False),
        ("update", "b", 3, True),
        ("new", "c", 1, False),
    ]
    assert [d.publish for d in decisions] == [False, True, True]


def test_rewritten_guid_with_the_same_link_is_the_same_item() -> None:
    by_id, by_link = index(Stored("old-id", "https://e/1", content_hash("T", "")))
    [decision] = decide([raw("new-id", link="https://e/1")], by_id, by_link, backfill_since=None)
    assert decision.kind == "unchanged" and decision.existing is not None
    [edited] = decide([raw("new-id", title="T2", link="https://e/1")], by_id, by_link, backfill_since=None)
    assert (edited.kind, edited.item.item_id) == ("update", "old-id")


def test_backfill_window_archives_old_new_items_only() -> None:
    since = NOW - timedelta(hours=48)
    decisions = decide([raw("a", hours=1), raw("b", hours=72)], {}, {}, backfill_since=since)
    assert [d.kind for d in decisions] == ["new", "archived"]


def test_changes_to_items_never_published_are_not_updates() -> None:
    by_id, by_link = index(
        Stored("p", None, "x", pending=True, acked_at=None), Stored("arch", None, "x", pending=False, acked_at=None)
    )
    decisions = decide([raw("p", title="T2"), raw("arch", title="T2")], by_id, by_link, backfill_since=None)
    assert [(d.kind, d.publish, d.item.is_update) for d in decisions] == [
        ("changed_unpublished", True, False),
        ("archived", False, False),
    ]


def test_an_item_listed_twice_in_one_document_counts_once() -> None:
    decisions = decide(
        [raw("a"), raw("a", title="dup"), raw("z", link="https://e/9"), raw("y", link="https://e/9")],
        {},
        {},
        backfill_since=None,
    )
    assert [d.item.item_id for d in decisions] == ["a", "z", "y"]


def test_a_link_shared_by_several_items_identifies_none_of_them() -> None:
    by_id, by_link = index(Stored("a", "https://e/home", content_hash("A", "")))
    decisions = decide(
        [
            raw("a", title="A", link="https://e/home"),
            raw("b", title="B", link="https://e/home"),
            raw("c", title="C", link="https://e/home"),
        ],
        by_id,
        by_link,
        backfill_since=None,
    )
    assert [(d.kind, d.item.item_id) for d in decisions] == [("unchanged", "a"), ("new", "b"), ("new", "c")]


def test_a_link_taken_over_by_a_new_item_does_not_swallow_the_old_one() -> None:
    by_id, by_link = index(Stored("a", "https://e/1", content_hash("A", "")))
    decisions = decide(
        [raw("b", title="B", link="https://e/1"), raw("a", title="A", link="https://e/moved")],
        by_id,
        by_link,
        backfill_since=None,
    )
    assert [(d.kind, d.item.item_id) for d in decisions] == [("new", "b"), ("unchanged", "a")]
