"""The feed registry and item store: keyword-only functions over a SQLAlchemy session (callers commit)."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from services.ingest.dedupe import Decision, StoredItem, decide
from services.ingest.health import FEED_STATES, feed_state
from services.ingest.models import Feed, Item
from services.pipeline.db import utcnow
from services.pipeline.events import RawItem
from services.pipeline.paging import PageRequest, keyset

CHUNK = 400  # ids per IN (...) clause, well under every backend's parameter limit


class FeedExists(ValueError):
    """A feed with this URL is already registered."""

    def __init__(self, feed_id: str) -> None:
        super().__init__(f"feed already registered as {feed_id}")
        self.feed_id = feed_id


# What registering a deleted feed again sets from the request (None included: the old value goes).
_REVIVED_FIELDS = ("title", "poll_interval_s", "language", "regulator", "jurisdiction")


def create_feed(session: Session, *, url: str, feed_id: str | None = None, **fields: Any) -> Feed:
    """Register a feed (due at once), under ``feed_id`` when given; FeedExists when its URL is registered.

    A deleted feed with this URL comes back as it was, same id and items, so nothing it already
    published is sent again; it is polled afresh (validators cleared, backfill window applied again).
    """
    existing = feed_by_url(session, url=url)
    if existing is not None and existing.deleted_at is None:
        raise FeedExists(existing.id)
    if existing is not None:
        return _revive(session, existing, fields)
    feed = Feed(id=feed_id or uuid.uuid4().hex, url=url, **{k: v for k, v in fields.items() if v is not None})
    session.add(feed)
    session.flush()
    return feed


def _revive(session: Session, feed: Feed, fields: dict[str, Any]) -> Feed:
    for name in _REVIVED_FIELDS:
        setattr(feed, name, fields.get(name))
    feed.title = feed.title or ""
    feed.enabled = fields.get("enabled") is not False
    now = utcnow()
    feed.deleted_at, feed.created_at, feed.next_poll_at = None, now, fields.get("next_poll_at") or now
    feed.etag, feed.last_modified, feed.backfilled, feed.consecutive_failures = None, None, False, 0
    session.flush()
    return feed


def feed_by_url(session: Session, *, url: str) -> Feed | None:
    """The feed (deleted or not) registered with this URL, as normalised by ``registry.check_feed_url``."""
    return session.scalars(select(Feed).where(Feed.url == url)).first()


def get_feed(session: Session, feed_id: str) -> Feed | None:
    """The feed with this id, or None when there is none or it was deleted."""
    feed = session.get(Feed, feed_id)
    return feed if feed is not None and feed.deleted_at is None else None


def delete_feed(session: Session, *, feed: Feed) -> None:
    """Delete a feed: it stops being polled and listed, its unsent items are dropped from the outbox, and its
    row and items stay as the memory of what was published (see create_feed)."""
    feed.deleted_at, feed.enabled = utcnow(), False
    session.execute(
        update(Item)
        .where(Item.feed_id == feed.id, Item.pending.is_(True))
        .values(pending=False)
        .execution_options(synchronize_session=False)
    )
    session.flush()


def purge_feed(session: Session, *, feed: Feed) -> None:
    """Remove a feed row and (by cascade) its items for good."""
    session.delete(feed)
    session.flush()


def list_feeds(session: Session, *, page: PageRequest | None = None) -> list[Feed]:
    """Feeds (not deleted) in registration order: all, or a page (one row more when more follow)."""
    query = keyset(select(Feed).where(Feed.deleted_at.is_(None)), page, created=Feed.created_at, ident=Feed.id)
    return list(session.scalars(query))


def recent_item_counts(session: Session, *, feed_ids: list[str], since: datetime) -> dict[str, int]:
    """Items first seen since ``since``, per feed (feeds without any are absent)."""
    counts: dict[str, int] = {}
    for start in range(0, len(feed_ids), CHUNK):
        rows = session.execute(
            select(Item.feed_id, func.count())
            .where(Item.feed_id.in_(feed_ids[start : start + CHUNK]), Item.first_seen_at >= since)
            .group_by(Item.feed_id)
        )
        counts.update({feed_id: count for feed_id, count in rows})
    return counts


def feed_state_counts(session: Session, *, failing_threshold: int) -> dict[str, int]:
    """Number of feeds per state (``health.feed_state``), every state present."""
    polled = Feed.last_polled_at.is_not(None)
    rows = session.execute(
        select(Feed.enabled, polled, Feed.consecutive_failures, func.count())
        .where(Feed.deleted_at.is_(None))
        .group_by(Feed.enabled, polled, Feed.consecutive_failures)
    )
    counts: dict[str, int] = dict.fromkeys(FEED_STATES, 0)
    for enabled, was_polled, failures, count in rows:
        state = feed_state(
            enabled=enabled, polled=bool(was_polled), failures=failures, failing_threshold=failing_threshold
        )
        counts[state] += count
    return counts


def _existing(session: Session, feed_id: str, items: list[RawItem]) -> list[Item]:
    ids = [i.item_id for i in items]
    links = [i.link for i in items if i.link]
    found: dict[str, Item] = {}
    for start in range(0, max(len(ids), len(links)), CHUNK):
        condition = or_(Item.id.in_(ids[start : start + CHUNK]), Item.link.in_(links[start : start + CHUNK]))
        for row in session.scalars(select(Item).where(Item.feed_id == feed_id, condition)):
            found[row.id] = row
    return list(found.values())


@dataclass
class StoreCounts:
    """What storing one poll's items did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0

    @property
    def to_publish(self) -> int:
        """Items (or revisions) now waiting for the broker."""
        return self.new + self.updated


def store_items(
    session: Session,
    *,
    feed_id: str,
    items: list[RawItem],
    now: datetime,
    backfill_since: datetime | None,
    first_items: bool = False,
) -> StoreCounts:
    """Dedupe and store one poll's items: new ones and changed ones become pending for the publisher.

    ``first_items`` says the feed has no stored item yet, which spares the lookup of existing ones.
    """
    rows = [] if first_items else _existing(session, feed_id, items)
    by_id: dict[str, StoredItem] = {row.id: row for row in rows}
    stored_links = Counter(row.link for row in rows if row.link)
    by_link: dict[str, StoredItem] = {row.link: row for row in rows if row.link and stored_links[row.link] == 1}
    counts = StoreCounts()
    inserts: list[dict[str, Any]] = []
    for decision in decide(items, by_id, by_link, backfill_since=backfill_since):
        if decision.existing is None and decision.kind != "unchanged":
            inserts.append(_new_row(decision, feed_id, now))
            counts.new += decision.publish
            counts.archived += not decision.publish
        else:
            _apply(decision, now, counts)
    if inserts:
        session.execute(insert(Item), inserts)  # one executemany for every new item
    return counts


def _new_row(decision: Decision, feed_id: str, now: datetime) -> dict[str, Any]:
    item = decision.item
    return {
        "id": item.item_id,
        "feed_id": feed_id,
        "link": item.link,
        "content_hash": decision.digest,
        "revision": 1,
        "pending": decision.publish,
        "payload": item.model_dump(mode="json"),
        "first_seen_at": item.first_seen_at,
        "updated_at": now,
        "acked_at": None,
    }


def _apply(decision: Decision, now: datetime, counts: StoreCounts) -> None:
    item, existing = decision.item, decision.existing
    if decision.kind == "unchanged":
        counts.unchanged += 1
        return
    assert isinstance(existing, Item)
    existing.link = item.link or existing.link
    existing.content_hash = decision.digest
    existing.revision = item.revision
    existing.payload = item.model_dump(mode="json")
    existing.updated_at = now
    existing.pending = decision.publish
    counts.updated += decision.kind == "update"
    counts.new += decision.kind == "changed_unpublished"
    counts.archived += decision.kind == "archived"


def pending_items(session: Session, *, limit: int) -> list[tuple[str, int, dict[str, Any]]]:
    """(id, revision, payload) of stored items awaiting the broker, oldest first."""
    query = (
        select(Item.id, Item.revision, Item.payload)
        .where(Item.pending.is_(True))
        .order_by(Item.first_seen_at, Item.id)
        .limit(limit)
    )
    return [(row.id, row.revision, row.payload) for row in session.execute(query)]


def mark_published(session: Session, *, acked: list[tuple[str, int]], now: datetime) -> None:
    """Mark acknowledged revisions published (a newer revision stored meanwhile stays pending)."""
    if not acked:
        return
    table = Item.__table__
    assert isinstance(table, Table)
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.revision == bindparam("b_rev"))
        .values(pending=False, acked_at=now)
    )
    session.connection().execute(statement, [{"b_id": i, "b_rev": r} for i, r in acked])


def set_aside(session: Session, *, item_ids: list[str]) -> None:
    """Stop trying to publish items whose stored payload no longer reads as a RawItem (they stay stored)."""
    session.execute(
        update(Item).where(Item.id.in_(item_ids)).values(pending=False).execution_options(synchronize_session=False)
    )


def mark_for_republish(session: Session, *, since: datetime) -> int:
    """Make items acknowledged since ``since`` pending again; return how many."""
    result = session.execute(
        update(Item)
        .where(Item.acked_at >= since, Item.pending.is_(False))
        .values(pending=True)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def backlog_size(session: Session) -> int:
    """Items stored but not yet acknowledged by the broker."""
    return int(session.scalar(select(func.count()).select_from(Item).where(Item.pending.is_(True))) or 0)
