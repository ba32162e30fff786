"""What a subscription's filters would match among items the caller gives: the matching notify applies to
every classified item (services.notify.matching), the tenant's watchlist included, with nothing stored or
sent. The web app's subscription preview asks this over the items of its read model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notify.matching import KeywordFinder, Rule, features_from, matches
from services.notify.models import WatchlistEntity
from services.notify.schemas import Filters
from services.notify.watchlists import WatchlistIndex
from services.pipeline.events import Tags

MAX_PREVIEW_ITEMS = 500


class PreviewItem(BaseModel):
    """An item as matching reads it: its id, title, summary and tags (as on regalerts.items.classified.v1)."""

    model_config = ConfigDict(extra="ignore")

    item_id: str = Field(max_length=300)
    title: str
    summary: str = ""
    tags: Tags


class SubscriptionPreview(BaseModel):
    """Filters to try on items."""

    model_config = ConfigDict(extra="forbid")

    filters: Filters = Field(default_factory=Filters)
    items: list[PreviewItem] = Field(max_length=MAX_PREVIEW_ITEMS)


class PreviewMatches(BaseModel):
    """The ids of the items the filters match, in the order given."""

    matched: list[str]


def preview_matches(session: Session, *, tenant_id: str, preview: SubscriptionPreview) -> PreviewMatches:
    """The given items a subscription of the tenant with these filters would match."""
    rule = Rule.from_filters("preview", tenant_id, preview.filters)
    keywords = KeywordFinder(rule.keywords)
    watchlist = WatchlistIndex(session.scalars(select(WatchlistEntity).where(WatchlistEntity.tenant_id == tenant_id)))
    matched = []
    for item in preview.items:
        hits = watchlist.find(item.title, item.summary) if watchlist.size else {}
        own = {tenant: list(found) for tenant, found in hits.items()}
        if matches(rule, features_from(item.title, item.summary, item.tags, keywords, own)):
            matched.append(item.item_id)
    return PreviewMatches(matched=matched)
