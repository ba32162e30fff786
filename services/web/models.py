"""The web app's own tables: tenants it acts for, members, sign-in links, sessions, and its read model of
items and deliveries (built from the topics it consumes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.pipeline.db import Base, UTCDateTime, utcnow


class WebTenant(Base):
    """A notify tenant the web app acts for, with the API key it uses against notify (never shown)."""

    __tablename__ = "web_tenants"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # notify's tenant id
    name: Mapped[str] = mapped_column(String(200), unique=True)
    api_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Member(Base):
    """A person of a tenant who signs in by emailed link; operators also manage feeds and tenants."""

    __tablename__ = "web_members"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("web_tenants.id", ondelete="CASCADE"), index=True)
    operator: Mapped[bool] = mapped_column(Boolean, default=False)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignInLink(Base):
    """A one-time sign-in link: only the hash of its token is kept; used once, within its lifetime."""

    __tablename__ = "web_signin_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("web_members.id", ondelete="CASCADE"), index=True)
    next_path: Mapped[str] = mapped_column(String(500), default="/")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A signed-in browser: the cookie holds the token, the store its hash and the session's CSRF token."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("web_members.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Item(Base):
    """The latest revision of a classified item, as the inbox shows it; ``search_text`` is its text and
    ``tag_tokens`` its filterable tags, pre-tokenised for full-text search (services.web.text)."""

    __tablename__ = "web_items"
    __table_args__ = (Index("ix_web_items_published", "published_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(String(300), unique=True)
    revision: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(Text)
    feed_id: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(16))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tags: Mapped[dict[str, Any]] = mapped_column(JSON)
    search_text: Mapped[str] = mapped_column(Text, default="")
    tag_tokens: Mapped[str] = mapped_column(Text, default="")


class DeliveryView(Base):
    """A delivery as its latest attempt left it (from regalerts.deliveries.v1), with every attempt."""

    __tablename__ = "web_deliveries"
    __table_args__ = (
        Index("ix_web_deliveries_tenant_item", "tenant_id", "item_id"),
        Index("ix_web_deliveries_subscription", "tenant_id", "subscription_id", "attempted_at"),
    )

    delivery_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40))
    subscription_id: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
