"""A subscription's preview: which items of the last 30 days its filters would have matched, decided by
notify's own matching (``POST /v1/subscriptions/preview``) over the items of this app's read model, sent
newest first a page at a time until enough have matched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, or_, select
from sqlalchemy.orm import Session

from services.web.models import Item
from services.web.notify_client import NotifyClient

PREVIEW_DAYS = 30
SHOWN = 20  # matches shown
PAGE = 500  # items per call (notify's limit)
MAX_SCANNED = 5000  # items read at most, newest first


@dataclass
class Preview:
    """The matched items, newest first; ``scanned``: how many recent items were tried, and ``complete``:
    whether they were every item of the last 30 days."""

    items: list[Item]
    scanned: int
    complete: bool


# What matching reads of an item, and where the page of items stands (publication time, id).
_COLUMNS = (Item.id, Item.published_at, Item.item_id, Item.title, Item.summary, Item.tags)


def _recent(session: Session, *, since: datetime, after: Row[Any] | None) -> list[Row[Any]]:
    """The next page of items published since ``since``, newest first, after ``after``: only the columns
    matching reads (no ORM objects: most are never shown)."""
    query = select(*_COLUMNS).where(Item.published_at >= since)
    if after is not None:
        older = or_(
            Item.published_at < after.published_at, and_(Item.published_at == after.published_at, Item.id < after.id)
        )
        query = query.where(older)
    return list(session.execute(query.order_by(Item.published_at.desc(), Item.id.desc()).limit(PAGE)))


def preview(session: Session, notify: NotifyClient, *, filters: dict[str, Any], now: datetime) -> Preview:
    """What the filters would have matched in the last 30 days (the first SHOWN matches among at most
    MAX_SCANNED items); NotifyError when notify refuses the filters."""
    since = now - timedelta(days=PREVIEW_DAYS)
    found: list[int] = []
    scanned, last, complete = 0, None, False
    while len(found) < SHOWN and scanned < MAX_SCANNED and not complete:
        page = _recent(session, since=since, after=last)
        if page:
            sent = [{"item_id": r.item_id, "title": r.title, "summary": r.summary, "tags": r.tags} for r in page]
            matched = set(notify.preview(filters, sent))
            found += [row.id for row in page if row.item_id in matched]
            scanned, last = scanned + len(page), page[-1]
        complete = len(page) < PAGE
    shown = found[:SHOWN]
    items = {item.id: item for item in session.scalars(select(Item).where(Item.id.in_(shown)))} if shown else {}
    return Preview([items[pk] for pk in shown], scanned, complete)
