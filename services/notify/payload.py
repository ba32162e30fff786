"""The alert as receivers see it: the JSON webhook payload (schema in docs/schemas/) and its construction.

A webhook body is ``{"type", "timestamp", "data"}`` as Standard Webhooks recommends: ``alert.created``,
``alert.updated`` (a new revision of an item already alerted) and ``alert.test`` carry one alert;
``alert.digest`` carries the alerts of a digest period. Watchlist hits of other tenants never appear.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from services.pipeline.events import ActionType, ClassifiedItem

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


class AlertCompany(BaseModel):
    """A company named in the item."""

    id: str
    name: str
    confidence: float = Field(ge=0, le=1)


class AlertRegulator(BaseModel):
    """A regulator acting in the item."""

    id: str
    name: str
    acronym: str | None
    jurisdiction: str
    confidence: float = Field(ge=0, le=1)


class AlertAction(BaseModel):
    """A regulatory action; ``primary`` when stated in the headline or lead."""

    type: ActionType
    confidence: float = Field(ge=0, le=1)
    primary: bool


class AlertWatchlistHit(BaseModel):
    """One of the receiving tenant's watchlist entities found in the item."""

    entity_id: str
    name: str


class Alert(BaseModel):
    """One alert: an item revision that matched one subscription."""

    id: str = Field(description="Alert id, the same across retries (also the webhook-id header).")
    kind: Literal["created", "updated"]
    subscription_id: str
    item: AlertedItem
    companies: list[AlertCompany]
    regulators: list[AlertRegulator]
    actions: list[AlertAction]
    jurisdictions: list[str]
    watchlist_hits: list[AlertWatchlistHit]


class AlertEvent(BaseModel):
    """A webhook carrying one alert."""

    type: Literal["alert.created", "alert.updated", "alert.test"]
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
    kind: Literal["created", "updated"],
    subscription_id: str,
    watchlist_hits: Iterable[Mapping[str, str]] = (),
) -> Alert:
    """The alert for one subscription; ``watchlist_hits`` are its tenant's entities found in the item."""
    item, tags = classified.item, classified.tags
    return Alert(
        id=alert_id,
        kind=kind,
        subscription_id=subscription_id,
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
        ),
        companies=[AlertCompany(id=c.id, name=c.name, confidence=c.confidence) for c in tags.companies],
        regulators=[
            AlertRegulator(
                id=r.id, name=r.name, acronym=r.acronym, jurisdiction=r.jurisdiction, confidence=r.confidence
            )
            for r in tags.regulators
        ],
        actions=[AlertAction(type=a.type, confidence=a.confidence, primary=a.primary) for a in tags.actions],
        jurisdictions=list(tags.jurisdictions),
        watchlist_hits=[AlertWatchlistHit(entity_id=h["entity_id"], name=h["name"]) for h in watchlist_hits],
    )


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
