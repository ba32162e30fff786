"""The inbox query: newest items first, narrowed by tags, dates, "matched my subscriptions" and full-text
search, paged by a cursor (the last item's publication time and id)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from services.web.models import DeliveryView, Item
from services.web.search import Match, match_clause
from services.web.text import tag_token

PAGE_SIZE = 50
TAG_FILTERS = ("regulator", "jurisdiction", "action", "company", "language")


@dataclass
class InboxFilters:
    """What the inbox is narrowed to; empty fields narrow nothing."""

    q: str = ""
    tags: dict[str, str] = field(default_factory=dict)  # kind -> value (kinds in TAG_FILTERS)
    primary_only: bool = False
    since: date | None = None
    until: date | None = None
    matched_only: bool = False


@dataclass
class InboxPage:
    """One page of items, the ids of those that matched the tenant's subscriptions, and the next cursor."""

    items: list[Item]
    matched: set[str]
    next_cursor: str | None


def encode_cursor(item: Item) -> str:
    """The cursor that continues after ``item``."""
    return f"{item.published_at.astimezone(UTC).strftime('%Y%m%dT%H%M%S.%f')}_{item.id}"


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """The (published_at, id) a cursor names; None for a cursor that is not one of ours."""
    stamp, _, pk = cursor.partition("_")
    try:
        return datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC), int(pk)
    except ValueError:
        return None


def _conditions(dialect: str, tenant_id: str, filters: InboxFilters, tz: tzinfo) -> list[ColumnElement[bool]]:
    chosen = sorted((kind, value) for kind, value in filters.tags.items() if value and kind in TAG_FILTERS)
    if filters.primary_only and filters.tags.get("action"):
        chosen.append(("primary_action", filters.tags["action"]))
    conditions: list[ColumnElement[bool]] = []
    if filters.since is not None:
        conditions.append(Item.published_at >= datetime.combine(filters.since, time(), tzinfo=tz))
    if filters.until is not None:
        end = datetime.combine(filters.until + timedelta(days=1), time(), tzinfo=tz)
        conditions.append(Item.published_at < end)
    if filters.matched_only:
        conditions.append(Item.item_id.in_(select(DeliveryView.item_id).where(DeliveryView.tenant_id == tenant_id)))
    searched = match_clause(dialect, Match(tuple((tag_token(k, v),) for k, v in chosen), (filters.q,)))
    if searched is not None:
        conditions.append(searched)
    return conditions


def inbox_page(
    session: Session,
    *,
    tenant_id: str,
    filters: InboxFilters,
    cursor: str | None = None,
    tz: tzinfo = UTC,
    limit: int = PAGE_SIZE,
) -> InboxPage:
    """One page of the inbox for ``tenant_id`` (dates are days in ``tz``, the member's time zone)."""
    dialect = session.get_bind().dialect.name
    conditions = _conditions(dialect, tenant_id, filters, tz)
    after = decode_cursor(cursor) if cursor else None
    if after is not None:
        published, pk = after
        conditions.append(or_(Item.published_at < published, and_(Item.published_at == published, Item.id < pk)))
    statement = select(Item).where(*conditions).order_by(Item.published_at.desc(), Item.id.desc()).limit(limit + 1)
    rows = list(session.scalars(statement))
    items = rows[:limit]
    return InboxPage(
        items, matched_items(session, tenant_id, items), encode_cursor(items[-1]) if len(rows) > limit else None
    )


def matched_items(session: Session, tenant_id: str, items: list[Item]) -> set[str]:
    """The ids among ``items`` that one of the tenant's subscriptions matched (a delivery exists)."""
    if not items:
        return set()
    ids = [item.item_id for item in items]
    found = session.scalars(
        select(DeliveryView.item_id).where(DeliveryView.tenant_id == tenant_id, DeliveryView.item_id.in_(ids))
    )
    return set(found)
