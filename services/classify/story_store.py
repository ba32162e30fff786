"""Stories in the store (``classify_story_reports``, ``classify_story_keys``): what the story stage reads
its candidates from and records each report in, so that a restart or another replica continues them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from services.classify.models import StoryKeyRow, StoryReportRow
from services.classify.stories import Report, Story, candidate_keys, keys_of, ordered


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


class SqlStories:
    """A story store on SQLAlchemy (SQLite or PostgreSQL); one session per call."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def story_ids(self, item_ids: Sequence[str]) -> dict[str, str]:
        """The story id of each of these items that already belongs to one."""
        with self._sessions() as session:
            rows = session.execute(
                select(StoryReportRow.item_id, StoryReportRow.story_id).where(StoryReportRow.item_id.in_(item_ids))
            )
            return {item_id: story_id for item_id, story_id in rows}

    def stories(self, story_ids: Iterable[str]) -> dict[str, Story]:
        """These stories with every report."""
        wanted = list(story_ids)
        if not wanted:
            return {}
        with self._sessions() as session:
            return self._load(session, wanted)

    def candidates(self, reports: Sequence[Report], window: timedelta) -> list[Story]:
        """The stories with a report, within ``window`` of the batch, having a key one of ``reports`` looks for
        (stories.candidate_keys): one query for the batch, the index narrowing it per report."""
        keys = sorted({key for report in reports for key in candidate_keys(report)})
        if not keys:
            return []
        start = min(r.published for r in reports) - window
        end = max(r.published for r in reports) + window
        with self._sessions() as session:
            items = select(StoryKeyRow.item_id).where(
                StoryKeyRow.key.in_(keys), StoryKeyRow.published_at.between(start, end)
            )
            ids = session.scalars(
                select(StoryReportRow.story_id).where(StoryReportRow.item_id.in_(items)).distinct()
            ).all()
            return list(self._load(session, list(ids)).values())

    def save(self, assigned: Sequence[tuple[Story, Report]]) -> None:
        """Record that each report belongs to its story, in one transaction (a report already recorded, by
        this or another replica, keeps its story)."""
        reports = [
            {"item_id": r.item_id, "story_id": s.story_id, "published_at": r.published, "report": report_json(r)}
            for s, r in assigned
        ]
        keys = [
            {"key": key, "item_id": r.item_id, "published_at": r.published} for _, r in assigned for key in keys_of(r)
        ]
        with self._sessions.begin() as session:
            insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            session.execute(insert(StoryReportRow).values(reports).on_conflict_do_nothing())
            if keys:
                session.execute(insert(StoryKeyRow).values(keys).on_conflict_do_nothing())

    @staticmethod
    def _load(session: Session, story_ids: list[str]) -> dict[str, Story]:
        rows = session.execute(
            select(StoryReportRow.story_id, StoryReportRow.report).where(StoryReportRow.story_id.in_(story_ids))
        ).all()
        found: dict[str, list[Report]] = {}
        for story_id, data in rows:
            found.setdefault(story_id, []).append(report_from_json(data))
        return {story_id: Story(story_id, ordered(reports)) for story_id, reports in found.items()}
