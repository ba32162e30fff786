"""The ingest tables: the feed registry with each feed's polling status, and the item store (the outbox)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from services.pipeline.db import Base


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCTimestamp(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Feed(Base):
    """A registered feed (operator-managed, shared by every tenant) and the status of its polling."""

    __tablename__ = "ingest_feeds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    poll_interval_s: Mapped[float | None] = mapped_column(Float)  # None: the service default
    language: Mapped[str | None] = mapped_column(String(16))
    regulator: Mapped[str | None] = mapped_column(String(200))
    jurisdiction: Mapped[str | None] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCTimestamp, default=utcnow)
    # Conditional GET validators of the last successful response.
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    # Status.
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCTimestamp)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCTimestamp)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_reason: Mapped[str | None] = mapped_column(String(32))
    last_error_at: Mapped[datetime | None] = mapped_column(UTCTimestamp)
    parse_warning: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    # False until the first successful poll: that poll only publishes items inside the backfill window.
    backfilled: Mapped[bool] = mapped_column(Boolean, default=False)
    next_poll_at: Mapped[datetime] = mapped_column(UTCTimestamp, default=utcnow, index=True)


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
    first_seen_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    updated_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    acked_at: Mapped[datetime | None] = mapped_column(UTCTimestamp, index=True)
