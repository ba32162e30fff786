"""The ingest tables: the feed registry with each feed's polling status, and the item store (the outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.pipeline.db import Base, UTCDateTime, utcnow


class Feed(Base):
    """A registered feed (operator-managed, shared by every tenant) and the status of its polling."""

    __tablename__ = "ingest_feeds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    poll_interval_s: Mapped[float | None] = mapped_column(Float)  # None: adaptive (schedule.py)
    language: Mapped[str | None] = mapped_column(String(16))
    regulator: Mapped[str | None] = mapped_column(String(200))
    jurisdiction: Mapped[str | None] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Conditional GET validators of the last successful response.
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    # Status.
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_reason: Mapped[str | None] = mapped_column(String(32))
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    parse_warning: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    # When new items were seen, epoch seconds, the latest few: what the adaptive interval follows (schedule.py).
    arrivals: Mapped[list[float]] = mapped_column(JSON, default=list)
    # False until the first successful poll: that poll only publishes items inside the backfill window.
    backfilled: Mapped[bool] = mapped_column(Boolean, default=False)
    next_poll_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The replica polling the feed now, until when (renewed while the poll runs; leases.py).
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the operator deletes the feed: the row and its items stay as dedupe memory (docs/ingest.md).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    websub: Mapped[HubSubscription | None] = relationship(
        back_populates="feed", lazy="selectin", cascade="all, delete-orphan", passive_deletes=True
    )


class HubSubscription(Base):
    """The WebSub subscription of a feed whose document names a hub (websub.py); the feed is still polled."""

    __tablename__ = "ingest_websub_subscriptions"

    # Random and unguessable: the last segment of the callback URL the hub calls.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    feed_id: Mapped[str] = mapped_column(ForeignKey("ingest_feeds.id", ondelete="CASCADE"), unique=True)
    hub_url: Mapped[str] = mapped_column(String(2048))
    topic_url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(100))  # signs the hub's content: never shown by the API
    # new | active | failed | denied | lapsed
    state: Mapped[str] = mapped_column(String(16), default="new")
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a request awaits the hub's verification
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_action_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feed: Mapped[Feed] = relationship(back_populates="websub", lazy="joined")


class Item(Base):
    """A normalised item as last seen, and whether its latest revision awaits the broker's acknowledgement."""

    __tablename__ = "ingest_items"
    __table_args__ = (
        Index("ix_ingest_items_feed_link", "feed_id", "link"),
        Index("ix_ingest_items_pending", "pending", "first_seen_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    feed_id: Mapped[str] = mapped_column(ForeignKey("ingest_feeds.id", ondelete="CASCADE"))
    link: Mapped[str | None] = mapped_column(String(2048))
    content_hash: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    pending: Mapped[bool] = mapped_column(Boolean, default=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class Lease(Base):
    """A task only one ingest replica may run at a time (``outbox``: publishing), and who runs it until when."""

    __tablename__ = "ingest_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
