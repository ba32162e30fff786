"""A subscription's preview: which items of the last 30 days its filters would have matched, decided by
notify's own matching (``POST /v1/subscriptions/preview``) over the items of this app's read model, sent
newest first a page at a time until enough have matched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
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


def _recent(session: Session, *, since: datetime, after: Item | None) -> list[Item]:
    """The next page of items published since ``since``, newest first, after ``after``."""
    query = select(Item).where(Item.published_at >= since)
    if after is not None:
        older = or_(
            Item.published_at < after.published_at, and_(Item.published_at == after.published_at, Item.id < after.id)
        )
        query = query.where(older)
    return list(session.scalars(query.order_by(Item.published_at.desc(), Item.id.desc()).limit(PAGE)))


def _payload(item: Item) -> dict[str, Any]:
    return {"item_id": item.item_id, "title": item.title, "summary": item.summary, "tags": item.tags}


def preview(session: Session, notify: NotifyClient, *, filters: dict[str, Any], now: datetime) -> Preview:
    """What the filters would have matched in the last 30 days (the first SHOWN matches among at most
    MAX_SCANNED items); NotifyError when notify refuses the filters."""
    since = now - timedelta(days=PREVIEW_DAYS)
    found: list[Item] = []
    scanned, last = 0, None
    while len(found) < SHOWN and scanned < MAX_SCANNED:
        page = _recent(session, since=since, after=last)
        if page:
            matched = set(notify.preview(filters, [_payload(item) for item in page]))
            found += [item for item in page if item.item_id in matched]
            scanned, last = scanned + len(page), page[-1]
        if len(page) < PAGE:
            return Preview(found[:SHOWN], scanned, complete=True)
    return Preview(found[:SHOWN], scanned, complete=False)
