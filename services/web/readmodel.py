"""The read model: classified items and delivery attempts, as the web app's consumers record them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.pipeline.events import ClassifiedItem, DeliveryAttempt, Tags
from services.web.models import DeliveryView, Item
from services.web.text import index_text, tag_token


def tag_values(tags: Tags) -> set[tuple[str, str]]:
    """The (kind, value) pairs the inbox filters on."""
    values = {("language", tags.language)}
    values |= {("regulator", r.id) for r in tags.regulators}
    values |= {("jurisdiction", j) for j in tags.jurisdictions}
    values |= {("action", a.type.value) for a in tags.actions}
    values |= {("primary_action", a.type.value) for a in tags.actions if a.primary}
    values |= {("company", c.id) for c in tags.companies}
    return {(kind, value[:200]) for kind, value in values if value}


def _names(tags: Tags) -> list[str]:
    """Tag names searched along with the text (so "CNIL" finds an item whose text says "the regulator")."""
    names = [c.name for c in tags.companies] + [r.name for r in tags.regulators]
    return names + [r.acronym for r in tags.regulators if r.acronym]


def source_of(feed_url: str) -> str:
    """What the inbox names as an item's source: its feed's host."""
    return urlsplit(feed_url).hostname or feed_url


def record_item(session: Session, classified: ClassifiedItem) -> bool:
    """Insert or update an item to this revision (an older revision arriving late changes nothing)."""
    raw, tags = classified.item, classified.tags
    row = session.scalars(select(Item).where(Item.item_id == raw.item_id)).one_or_none()
    if row is not None and row.revision > raw.revision:
        return False
    fields: dict[str, Any] = {
        "revision": raw.revision,
        "title": raw.title,
        "summary": raw.summary,
        "link": raw.link,
        "feed_id": raw.feed_id,
        "source": source_of(raw.feed_url)[:300],
        "language": tags.language,
        "published_at": raw.published_at,
        "tags": tags.model_dump(mode="json"),
        "search_text": index_text(raw.title, raw.summary, " ".join(_names(tags))),
        "tag_tokens": " ".join(sorted(tag_token(kind, value) for kind, value in tag_values(tags))),
    }
    if row is None:
        session.add(Item(item_id=raw.item_id, **fields))
    else:
        for name, value in fields.items():
            setattr(row, name, value)
    session.flush()
    return True


def record_attempt(session: Session, attempt: DeliveryAttempt) -> None:
    """Add an attempt to its delivery; the delivery shows the latest attempt's outcome."""
    row = session.get(DeliveryView, attempt.delivery_id)
    entry = {
        "attempt": attempt.attempt,
        "outcome": attempt.outcome,
        "status_code": attempt.status_code,
        "error": attempt.error,
        "attempted_at": attempt.attempted_at.isoformat(),
    }
    if row is None:
        row = DeliveryView(
            delivery_id=attempt.delivery_id,
            tenant_id=attempt.tenant_id,
            subscription_id=attempt.subscription_id,
            item_id=attempt.item_id,
            channel=attempt.channel,
            history=[],
            attempt=0,
            attempted_at=attempt.attempted_at,
        )
        session.add(row)
    if entry in row.history:
        return
    row.history = sorted([*row.history, entry], key=lambda e: (e["attempted_at"], e["attempt"]))
    if attempt.attempted_at >= row.attempted_at or row.attempt == 0:
        row.attempt = attempt.attempt
        row.outcome = attempt.outcome
        row.status_code = attempt.status_code
        row.error = attempt.error
        row.attempted_at = attempt.attempted_at
        row.next_attempt_at = attempt.next_attempt_at
