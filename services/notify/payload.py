"""The alert as receivers see it: the JSON webhook payload (schema in docs/schemas/) and its construction.

A webhook body is ``{"type", "timestamp", "data"}`` as Standard Webhooks recommends: ``alert.created``
(the first report of a story the subscription matched), ``alert.updated`` (a new revision of an item
already alerted), ``alert.story_update`` (a later report of an alerted story, for subscriptions with
``story_updates: "notify"``) and ``alert.test`` carry one alert; ``alert.digest`` carries the alerts of a
digest period, one per story. Each alert explains itself: the subscription, why it matched (each filter
value with its evidence), a one-line English gist, the tags with their evidence, and the story's sources.
Watchlist hits of other tenants never appear.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from services.notify.gist import gist
from services.pipeline.events import ActionType, AmountTag, ClassifiedItem, Evidence, StoryReport

SCHEMA_ID = "https://regalerts.org/schemas/webhook-payload.schema.json"


class AlertedItem(BaseModel):
    """The feed item the alert is about (plain text fields)."""

    id: str = Field(description="Stable item id.")
    title: str
    summary: str
    link: str | None
    feed_url: str
    published_at: datetime
    first_seen_at: datetime
    revision: int = Field(ge=1, description="1 for the first publication, +1 per update.")
    language: str
    feed_title: str | None = Field(default=None, description="The source: the feed's title.")


class AlertCompany(BaseModel):
    """A company named in the item."""

    id: str
    name: str
    confidence: float = Field(ge=0, le=1)
    evidence: list[Evidence] = Field(default_factory=list, description="Where the item names it.")


class AlertRegulator(BaseModel):
    """A regulator acting in the item."""

    id: str
    name: str
    acronym: str | None
    jurisdiction: str
    confidence: float = Field(ge=0, le=1)
    evidence: list[Evidence] = Field(default_factory=list, description="Where the item names it.")


class AlertAction(BaseModel):
    """A regulatory action; ``primary`` when stated in the headline or lead."""

    type: ActionType
    confidence: float = Field(ge=0, le=1)
    primary: bool
    evidence: list[Evidence] = Field(default_factory=list, description="The words that state it.")


class AlertWatchlistHit(BaseModel):
    """One of the receiving tenant's watchlist entities found in the item."""

    entity_id: str
    name: str


class AlertSubscription(BaseModel):
    """The subscription the alert is for."""

    id: str
    name: str


class MatchedFilter(BaseModel):
    """One filter value that the item satisfied, with the words of the item that satisfy it."""

    filter: str = Field(description="companies, regulators, actions, jurisdictions, languages, keywords, min_amount")
    value: str
    evidence: list[str]


class AlertStory(BaseModel):
    """The story the item belongs to: every report of the decision known when the alert was made."""

    id: str
    sources: int = Field(ge=1, description="How many reports the story has.")
    first: StoryReport
    reports: list[StoryReport] = Field(description="Every report, the first one first (this item among them).")


AlertKind = Literal["created", "updated", "story_update"]


class Alert(BaseModel):
    """One alert: an item revision that matched one subscription."""

    id: str = Field(description="Alert id, the same across retries (also the webhook-id header).")
    kind: AlertKind
    subscription_id: str
    subscription: AlertSubscription | None = None
    gist: str = Field(default="", description="One line of English from the tags, beside the original title.")
    matched: list[MatchedFilter] = Field(default_factory=list, description="Why the item matched.")
    item: AlertedItem
    companies: list[AlertCompany]
    regulators: list[AlertRegulator]
    actions: list[AlertAction]
    jurisdictions: list[str]
    amount: AmountTag | None = None
    watchlist_hits: list[AlertWatchlistHit]
    story: AlertStory | None = None


class AlertEvent(BaseModel):
    """A webhook carrying one alert."""

    type: Literal["alert.created", "alert.updated", "alert.story_update", "alert.test"]
    timestamp: datetime
    data: Alert


class DigestData(BaseModel):
    """The alerts of one digest period, oldest first."""

    subscription_id: str
    alerts: list[Alert] = Field(min_length=1)


class DigestEvent(BaseModel):
    """A webhook carrying a digest."""

    type: Literal["alert.digest"]
    timestamp: datetime
    data: DigestData


WebhookPayload = Annotated[AlertEvent | DigestEvent, Field(discriminator="type")]
PAYLOAD_ADAPTER: TypeAdapter[AlertEvent | DigestEvent] = TypeAdapter(WebhookPayload)


def build_alert(
    classified: ClassifiedItem,
    *,
    alert_id: str,
    kind: AlertKind,
    subscription: tuple[str, str],
    watchlist_hits: Iterable[Mapping[str, str]] = (),
    matched: Iterable[Mapping[str, Any]] = (),
) -> Alert:
    """The alert for one subscription (id, name); ``watchlist_hits`` are its tenant's entities found in the
    item, ``matched`` why it matched (explain.why_matched)."""
    item, tags, story = classified.item, classified.tags, classified.story
    return Alert(
        id=alert_id,
        kind=kind,
        subscription_id=subscription[0],
        subscription=AlertSubscription(id=subscription[0], name=subscription[1]),
        gist=gist(tags),
        matched=[MatchedFilter.model_validate(m) for m in matched],
        amount=tags.amount,
        story=AlertStory(id=story.id, sources=len(story.reports), first=story.first, reports=story.reports)
        if story
        else None,
        item=AlertedItem(
            id=item.item_id,
            title=item.title,
            summary=item.summary,
            link=item.link,
            feed_url=item.feed_url,
            published_at=item.published_at,
            first_seen_at=item.first_seen_at,
            revision=item.revision,
            language=tags.language,
            feed_title=item.feed_title,
        ),
        companies=[
            AlertCompany(id=c.id, name=c.name, confidence=c.confidence, evidence=c.evidence) for c in tags.companies
        ],
        regulators=[
            AlertRegulator(
                id=r.id,
                name=r.name,
                acronym=r.acronym,
                jurisdiction=r.jurisdiction,
                confidence=r.confidence,
                evidence=r.evidence,
            )
            for r in tags.regulators
        ],
        actions=[
            AlertAction(type=a.type, confidence=a.confidence, primary=a.primary, evidence=a.evidence)
            for a in tags.actions
        ],
        jurisdictions=list(tags.jurisdictions),
        watchlist_hits=[AlertWatchlistHit(entity_id=h["entity_id"], name=h["name"]) for h in watchlist_hits],
    )


def one_per_story(alerts: Iterable[Alert]) -> list[Alert]:
    """Each story once (the alert that knows most of its sources), in the order the stories came."""
    kept: dict[str, Alert] = {}
    for alert in alerts:
        key = alert.story.id if alert.story else alert.id
        known = kept.get(key)
        if known is None or (alert.story and known.story and alert.story.sources > known.story.sources):
            kept[key] = alert
    return list(kept.values())


def payload_schema() -> dict[str, Any]:
    """The JSON Schema of a webhook body (committed as docs/schemas/webhook-payload.schema.json)."""
    schema = PAYLOAD_ADAPTER.json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "RegAlerts webhook payload",
        "description": __doc__.strip() if __doc__ else "",
        **schema,
    }
