"""The notify tables: tenants, subscriptions, watchlists, alerted items, deliveries (the durable queue), attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.pipeline.db import Base, UTCDateTime, utcnow


class Tenant(Base):
    """A customer: owns subscriptions, deliveries and watchlists; authenticates with any of its API keys."""

    __tablename__ = "notify_tenants"
    __table_args__ = (UniqueConstraint("name", name="uq_notify_tenants_name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(Base):
    """A named API key of a tenant: only its hash and its first characters (to tell keys apart) are kept;
    a revoked key authenticates nothing."""

    __tablename__ = "notify_api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("notify_tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Subscription(Base):
    """What a tenant wants (filters) and where it goes (one channel), instantly or as a digest."""

    __tablename__ = "notify_subscriptions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("notify_tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(16))  # webhook | slack | email
    url: Mapped[str | None] = mapped_column(Text)
    addresses: Mapped[list[str]] = mapped_column(JSON, default=list)
    mode: Mapped[str] = mapped_column(String(16), default="instant")  # instant | digest
    digest_frequency: Mapped[str | None] = mapped_column(String(16))  # hourly | daily
    digest_hour: Mapped[int | None] = mapped_column(Integer)
    digest_timezone: Mapped[str | None] = mapped_column(String(64))
    story_updates: Mapped[str] = mapped_column(String(8), default="none", server_default="none")  # none | notify
    paused: Mapped[bool] = mapped_column(default=False)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)


class AlertItem(Base):
    """One revision of a classified item that matched at least one subscription (its payload, once)."""

    __tablename__ = "notify_alert_items"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # hash of (item id, revision)
    item_id: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # the ClassifiedItem, JSON mode
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    traceparent: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StoryAlert(Base):
    """A story a subscription was alerted about: the first report that matched wins the row, so each
    story alerts a subscription once, whichever replica sees which report first."""

    __tablename__ = "notify_story_alerts"

    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("notify_subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    item_id: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(Base):
    """One alert for one (item revision, subscription): the primary key is the idempotency key.

    ``status`` is pending (due at ``next_attempt_at``), delivered, dead or disabled. A worker reserves a
    pending row by writing its lease; a crashed worker's lease expires and the row is claimed again.
    """

    __tablename__ = "notify_deliveries"
    __table_args__ = (Index("ix_notify_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), index=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("notify_subscriptions.id", ondelete="CASCADE"), index=True)
    alert_item_id: Mapped[str] = mapped_column(ForeignKey("notify_alert_items.id"), index=True)
    item_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # created | updated | story_update
    channel: Mapped[str] = mapped_column(String(16))
    digest: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The receiving tenant's watchlist entities found in the item: [{"entity_id", "name"}]
    watchlist_hits: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # Why the item matched the subscription: [{"filter", "value", "evidence": [text]}]
    matched: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")


class Attempt(Base):
    """One attempt to deliver: when, outcome, response code, latency."""

    __tablename__ = "notify_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("notify_deliveries.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[float | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)


class Unsubscribe(Base):
    """An email address that unsubscribed from one subscription (one-click, RFC 8058)."""

    __tablename__ = "notify_unsubscribes"

    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("notify_subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(String(320), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Key(Base):
    """A generated secret the service keeps across restarts (the unsubscribe-token key)."""

    __tablename__ = "notify_keys"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class WatchlistEntity(Base):
    """One entity (a company, supplier, person, product) on one tenant's watchlist."""

    __tablename__ = "notify_watchlist_entities"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    kind: Mapped[str] = mapped_column(String(16), default="organisation")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
