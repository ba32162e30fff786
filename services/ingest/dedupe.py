"""Dedupe: decide for each normalised item whether it is new, an update of a stored one, or nothing new.

An item is the same as a stored one when its id matches (feed + guid, else link, else title+date hash) or,
failing that, when its canonical link matches: a publisher that rewrites guids but keeps links does not
produce duplicates. Feed order plays no part.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from services.ingest.normalise import content_hash
from services.pipeline.events import RawItem

Kind = Literal["new", "update", "changed_unpublished", "unchanged", "archived"]


class StoredItem(Protocol):
    """What dedupe needs from a stored item."""

    id: str
    link: str | None
    content_hash: str
    revision: int
    pending: bool
    acked_at: datetime | None


@dataclass
class Decision:
    """What to do with one item: ``item`` is the payload to store (its id and revision settled)."""

    kind: Kind
    item: RawItem
    digest: str
    existing: StoredItem | None = None

    @property
    def publish(self) -> bool:
        """Whether this item (or this revision of it) must go to the broker."""
        return self.kind in {"new", "update", "changed_unpublished"}


def decide(
    items: list[RawItem],
    by_id: dict[str, StoredItem],
    by_link: dict[str, StoredItem],
    *,
    backfill_since: datetime | None,
) -> list[Decision]:
    """Decide for each item, once per item id; ``backfill_since`` archives older new items (first poll).

    A link identifies an item only when it is unambiguous: one item of the document carries it, and the
    stored item it points to is not claimed by its own id in the same document. Feeds that point every
    item to one landing page keep their items apart.
    """
    links = Counter(item.link for item in items if item.link)
    incoming_ids = {item.item_id for item in items}
    decisions: list[Decision] = []
    seen: set[str] = set()
    for item in items:
        existing = by_id.get(item.item_id)
        if existing is None and item.link and links[item.link] == 1:
            candidate = by_link.get(item.link)
            existing = candidate if candidate is not None and candidate.id not in incoming_ids else None
        key = existing.id if existing else item.item_id
        if key in seen:
            continue
        seen.add(key)
        decisions.append(_decide_one(item, existing, backfill_since))
    return decisions


def _decide_one(item: RawItem, existing: StoredItem | None, backfill_since: datetime | None) -> Decision:
    digest = content_hash(item.title, item.summary)
    if existing is None:
        if backfill_since is not None and item.published_at < backfill_since:
            return Decision("archived", item, digest)
        return Decision("new", item, digest)
    if existing.content_hash == digest:
        return Decision("unchanged", item, digest, existing)
    same_id = item.model_copy(update={"item_id": existing.id})
    if existing.acked_at is None:
        # Never reached the broker (still pending, or archived by the backfill window): no update event.
        kind: Kind = "changed_unpublished" if existing.pending else "archived"
        return Decision(kind, same_id, digest, existing)
    revised = same_id.model_copy(update={"is_update": True, "revision": existing.revision + 1})
    return Decision("update", revised, digest, existing)
