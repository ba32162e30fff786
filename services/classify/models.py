"""The classify tables: the reports of recent stories and the keys (companies, regulators) that find them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.pipeline.db import Base, UTCDateTime


class StoryReportRow(Base):
    """One report (item) and the story it belongs to, with the features that grouped it."""

    __tablename__ = "classify_story_reports"

    item_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    story_id: Mapped[str] = mapped_column(String(40), index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)


class StoryKeyRow(Base):
    """A company (``c:<id>``) or regulator (``r:<id>``) a report names: how candidates are found."""

    __tablename__ = "classify_story_keys"
    __table_args__ = (Index("ix_classify_story_keys_key_published", "key", "published_at"),)

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
