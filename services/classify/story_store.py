"""Stories in the store (``classify_story_reports``, ``classify_story_keys``): what the story stage reads
its candidates from and records each report in, so that a restart or another replica continues them."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from services.classify.models import StoryKeyRow, StoryReportRow
from services.classify.stories import Report, Story


def report_json(report: Report) -> dict[str, Any]:
    """A report as stored (JSON)."""
    return {
        "item_id": report.item_id, "published": report.published.isoformat(), "feed": report.feed,
        "lang": report.lang, "link": report.link, "title": report.title,
        "companies": sorted(report.companies), "regulators": sorted(report.regulators),
        "families": sorted(report.families), "decisions": sorted(report.decisions),
        "amounts": [[str(value), currency] for value, currency in report.amounts], "words": sorted(report.words),
    }  # fmt: skip


def report_from_json(data: dict[str, Any]) -> Report:
    """A stored report."""
    sets = {name: frozenset(data[name]) for name in ("companies", "regulators", "families", "decisions", "words")}
    return Report(
        item_id=data["item_id"], published=datetime.fromisoformat(data["published"]), feed=data["feed"],
        lang=data["lang"], link=data["link"], title=data["title"],
        amounts=tuple((Decimal(value), currency) for value, currency in data["amounts"]), **sets,
    )  # fmt: skip


def _keys(report: Report) -> list[str]:
    """What a report is found by: each company, each regulator, and each regulator of a report that names no
    company (``n:``), the only kind a report naming companies can join by regulator alone."""
    keys = [f"c:{c}" for c in sorted(report.companies)] + [f"r:{r}" for r in sorted(report.regulators)]
    return keys + ([] if report.companies else [f"n:{r}" for r in sorted(report.regulators)])


def _candidate_keys(report: Report) -> list[str]:
    """The keys of the reports whose stories ``report`` may join (stories.joins): a report naming companies
    joins a story sharing one, or a story naming none that shares a regulator; one naming no company joins a
    story sharing a regulator. So a busy regulator's other cases are not loaded for every report naming it."""
    if report.companies:
        return [f"c:{c}" for c in sorted(report.companies)] + [f"n:{r}" for r in sorted(report.regulators)]
    return [f"r:{r}" for r in sorted(report.regulators)]


class SqlStories:
    """A story store on SQLAlchemy (SQLite or PostgreSQL); one session per call."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def story_of(self, item_id: str) -> Story | None:
        """The story an item already belongs to, if any."""
        with self._sessions() as session:
            story_id = session.scalar(select(StoryReportRow.story_id).where(StoryReportRow.item_id == item_id))
            return self._load(session, [story_id])[0] if story_id else None

    def candidates(self, report: Report, window: timedelta) -> list[Story]:
        """Stories with a report within ``window`` that ``report`` may join (:func:`_candidate_keys`)."""
        start, end = report.published - window, report.published + window
        with self._sessions() as session:
            items = select(StoryKeyRow.item_id).where(
                StoryKeyRow.key.in_(_candidate_keys(report)), StoryKeyRow.published_at.between(start, end)
            )
            ids = session.scalars(
                select(StoryReportRow.story_id).where(StoryReportRow.item_id.in_(items)).distinct()
            ).all()
            return self._load(session, list(ids))

    def save(self, story: Story, report: Report) -> None:
        """Record that ``report`` belongs to ``story`` (a second save of the same item changes nothing)."""
        with self._sessions.begin() as session:
            insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            row = {"item_id": report.item_id, "story_id": story.story_id, "published_at": report.published}
            session.execute(insert(StoryReportRow).values(**row, report=report_json(report)).on_conflict_do_nothing())
            keys = [{"key": key, "item_id": report.item_id, "published_at": report.published} for key in _keys(report)]
            if keys:
                session.execute(insert(StoryKeyRow).values(keys).on_conflict_do_nothing())

    @staticmethod
    def _load(session: Session, story_ids: list[str]) -> list[Story]:
        rows = session.execute(
            select(StoryReportRow.story_id, StoryReportRow.report)
            .where(StoryReportRow.story_id.in_(story_ids))
            .order_by(StoryReportRow.published_at, StoryReportRow.item_id)
        ).all()
        stories: dict[str, Story] = {}
        for story_id, data in rows:
            stories.setdefault(story_id, Story(story_id)).reports.append(report_from_json(data))
        return list(stories.values())
