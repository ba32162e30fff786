"""Poll one feed: fetch (within the politeness limits), parse, normalise, store, record status and schedule.

A poll never raises: whatever happens to one feed is recorded in its status and metrics, and the next
poll is scheduled (with backoff on failure), so no feed can stop the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from services.ingest import schedule
from services.ingest.fetcher import Fetcher, FetchResult
from services.ingest.limits import HostLimiter
from services.ingest.metrics import FEED_POLLS, POLL_DURATION
from services.ingest.models import Feed, utcnow
from services.ingest.normalise import FeedContext, normalise
from services.ingest.parser import FeedParseError, ParsedFeed, parse_feed
from services.ingest.settings import IngestSettings
from services.ingest.store import StoreCounts, store_items
from services.pipeline.events import RawItem
from services.pipeline.metrics import ITEMS_IN

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedSnapshot:
    """What a poll needs to know about its feed, read before the request."""

    id: str
    url: str
    etag: str | None
    last_modified: str | None
    backfilled: bool
    interval_s: float | None
    failures: int
    language: str | None
    regulator: str | None
    jurisdiction: str | None


@dataclass
class PollOutcome:
    """What one poll did: outcome, error reason and the items it stored."""

    outcome: str
    reason: str = "none"
    counts: StoreCounts | None = None


class Poller:
    """Polls feeds; blocking work (parsing, the store) runs on ``executor`` so fetching goes on meanwhile."""

    def __init__(
        self,
        *,
        settings: IngestSettings,
        sessions: sessionmaker[Session],
        fetcher: Fetcher,
        limiter: HostLimiter,
        executor: Executor,
        on_stored: Callable[[], None],
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._fetcher = fetcher
        self._limiter = limiter
        self._executor = executor
        self._on_stored = on_stored
        self._policy = schedule.Policy.from_settings(settings)

    async def poll(self, feed_id: str) -> PollOutcome:
        """Poll one feed now; a feed that no longer exists is skipped."""
        loop = asyncio.get_running_loop()
        snapshot = await loop.run_in_executor(self._executor, self._snapshot, feed_id)
        if snapshot is None:
            return PollOutcome("gone")
        started = time.monotonic()
        async with self._limiter.slot(urlsplit(snapshot.url).hostname or ""):
            result = await self._fetcher.fetch(snapshot.url, etag=snapshot.etag, last_modified=snapshot.last_modified)
        try:
            outcome = await loop.run_in_executor(self._executor, self._process, snapshot, result)
        except Exception:
            log.exception("Feed poll failed", extra={"feed_id": feed_id, "feed_url": snapshot.url})
            outcome = await loop.run_in_executor(
                self._executor,
                self._record,
                snapshot,
                FetchResult("error", snapshot.url, "internal", "internal error"),
                None,
                None,
            )
        POLL_DURATION.observe(time.monotonic() - started)
        FEED_POLLS.labels(outcome=outcome.outcome, reason=outcome.reason).inc()
        if outcome.counts and outcome.counts.to_publish:
            self._on_stored()
        return outcome

    def _snapshot(self, feed_id: str) -> FeedSnapshot | None:
        with self._sessions() as session:
            feed = session.get(Feed, feed_id)
            if feed is None:
                return None
            return FeedSnapshot(
                feed.id,
                feed.url,
                feed.etag,
                feed.last_modified,
                feed.backfilled,
                feed.poll_interval_s,
                feed.consecutive_failures,
                feed.language,
                feed.regulator,
                feed.jurisdiction,
            )

    def _process(self, snapshot: FeedSnapshot, result: FetchResult) -> PollOutcome:
        if result.outcome != "ok":
            return self._record(snapshot, result, None, None)
        try:
            parsed = parse_feed(
                result.body, url=result.url, content_type=result.content_type, language=result.content_language
            )
        except FeedParseError as exc:
            failed = FetchResult("error", result.url, "parse", str(exc), status_code=result.status_code)
            return self._record(snapshot, failed, None, None)
        now = utcnow()
        items = self._normalise(snapshot, parsed, result, now)
        return self._record(snapshot, result, parsed, items)

    def _normalise(
        self, snapshot: FeedSnapshot, parsed: ParsedFeed, result: FetchResult, now: datetime
    ) -> list[RawItem]:
        context = FeedContext(
            feed_id=snapshot.id,
            feed_url=result.url,
            language_hint=snapshot.language,
            feed_language=parsed.language,
            header_language=result.content_language,
            regulator=snapshot.regulator,
            jurisdiction=snapshot.jurisdiction,
        )
        ITEMS_IN.labels(stage="ingest").inc(len(parsed.entries))
        return [normalise(entry, context, first_seen=now) for entry in parsed.entries]

    def _record(
        self, snapshot: FeedSnapshot, result: FetchResult, parsed: ParsedFeed | None, items: list[RawItem] | None
    ) -> PollOutcome:
        now = utcnow()
        with self._sessions.begin() as session:
            feed = session.get(Feed, snapshot.id)
            if feed is None:
                return PollOutcome("gone")
            feed.last_polled_at = now
            feed.last_status_code = result.status_code
            if result.outcome == "error":
                self._record_failure(feed, result, now)
                return PollOutcome("error", result.reason)
            counts = None
            if parsed is not None and items is not None:
                backfill_since = None if feed.backfilled else now - timedelta(seconds=self._settings.backfill_window_s)
                counts = store_items(session, feed_id=feed.id, items=items, now=now, backfill_since=backfill_since)
                feed.items_seen += counts.new + counts.archived
                feed.parse_warning = parsed.warning
                feed.backfilled = True
            self._record_success(feed, result, parsed, now)
            return PollOutcome(result.outcome, "none", counts)

    def _record_success(self, feed: Feed, result: FetchResult, parsed: ParsedFeed | None, now: datetime) -> None:
        feed.last_success_at = now
        feed.consecutive_failures = 0
        if result.outcome == "ok":
            feed.etag, feed.last_modified = result.etag, result.last_modified
        else:
            feed.etag = result.etag or feed.etag
            feed.last_modified = result.last_modified or feed.last_modified
        delay = schedule.after_success(
            self._policy,
            interval_s=feed.poll_interval_s,
            ttl_s=parsed.ttl_s if parsed else None,
            fresh_for_s=result.fresh_for_s,
        )
        feed.next_poll_at = now + timedelta(seconds=delay)

    def _record_failure(self, feed: Feed, result: FetchResult, now: datetime) -> None:
        feed.consecutive_failures += 1
        feed.last_error = result.error
        feed.last_error_reason = result.reason
        feed.last_error_at = now
        delay = schedule.after_failure(
            self._policy,
            interval_s=feed.poll_interval_s,
            failures=feed.consecutive_failures,
            retry_after_s=result.retry_after_s,
        )
        feed.next_poll_at = now + timedelta(seconds=delay)
        if feed.consecutive_failures == self._settings.failing_threshold:
            log.warning("Feed is failing", extra={"feed_id": feed.id, "feed_url": feed.url, "error": result.error})
