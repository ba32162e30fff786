"""The blocking half of a poll: parse and normalise a fetched document, then record polls in the store.

Recording takes a batch of polls and writes them in one transaction (group commit): on SQLite each commit
costs an fsync, so a thousand feeds polled together cost a handful of commits rather than a thousand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.ingest import schedule, subscriptions, websub
from services.ingest.discovery import html_refusal, looks_like_html
from services.ingest.fetcher import FetchResult
from services.ingest.health import FeedState, state_of
from services.ingest.models import Feed
from services.ingest.normalise import FeedContext, normalise
from services.ingest.parser import FeedParseError, ParsedFeed, parse_feed
from services.ingest.settings import IngestSettings
from services.ingest.store import StoreCounts, store_items
from services.pipeline.db import utcnow
from services.pipeline.events import RawItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedSnapshot:
    """What a poll needs to know about its feed, read before the request."""

    id: str
    url: str
    etag: str | None
    last_modified: str | None
    language: str | None
    regulator: str | None
    jurisdiction: str | None

    @classmethod
    def of(cls, feed: Feed) -> FeedSnapshot:
        """The snapshot of a stored feed."""
        return cls(feed.id, feed.url, feed.etag, feed.last_modified, feed.language, feed.regulator, feed.jurisdiction)


@dataclass
class PollOutcome:
    """What one poll did: outcome, error reason and the items it stored."""

    outcome: str
    reason: str = "none"
    counts: StoreCounts | None = None


@dataclass
class Prepared:
    """A fetched document, parsed and normalised, ready to be recorded (``alternates``: the feeds an HTML page
    fetched in place of a feed links to)."""

    snapshot: FeedSnapshot
    result: FetchResult
    parsed: ParsedFeed | None = None
    items: list[RawItem] | None = None
    alternates: tuple[str, ...] = ()


def prepare(snapshot: FeedSnapshot, result: FetchResult) -> Prepared:
    """Parse and normalise an ``ok`` fetch (CPU only, no store); a parse failure becomes an error result.

    Runs in a parser process: it returns the result without its body and leaves metrics to the caller.
    """
    body, result = result.body, replace(result, body=b"")
    if result.outcome != "ok":
        return Prepared(snapshot, result)
    try:
        parsed = parse_feed(body, url=result.url, content_type=result.content_type, language=result.content_language)
    except FeedParseError as exc:
        error, alternates = str(exc), list[str]()
        if looks_like_html(body, result.content_type):
            error, alternates = html_refusal(body, result.url)
        failed = FetchResult("error", result.url, "parse", error, status_code=result.status_code)
        return Prepared(snapshot, failed, alternates=tuple(alternates))
    context = FeedContext(
        feed_id=snapshot.id,
        feed_url=snapshot.url,
        language_hint=snapshot.language,
        feed_language=parsed.language,
        header_language=result.content_language,
        regulator=snapshot.regulator,
        jurisdiction=snapshot.jurisdiction,
        feed_title=parsed.title or None,
    )
    items, skipped = normalise_all(parsed, context)
    if skipped:
        parsed = replace(parsed, warning="; ".join(filter(None, [parsed.warning, skipped])))
    return Prepared(snapshot, result, parsed, items)


def normalise_all(parsed: ParsedFeed, context: FeedContext) -> tuple[list[RawItem], str | None]:
    """The items of the entries that normalise, and a warning naming what the others cost (None if nothing)."""
    now = utcnow()
    items: list[RawItem] = []
    errors: list[str] = []
    for entry in parsed.entries:
        try:
            items.append(normalise(entry, context, first_seen=now))
        except ValueError as exc:  # one unreadable entry does not cost the feed its other items
            errors.append(str(exc)[:300])
            log.warning("Feed entry skipped", extra={"feed_id": context.feed_id, "error": errors[-1]})
    return items, f"{len(errors)} entries skipped, first: {errors[0]}" if errors else None


def _arrivals(feed: Feed, items: list[RawItem], counts: StoreCounts, now: datetime) -> list[float]:
    """The feed's publishing history after this poll: seeded from its items' dates on the first poll, one more
    arrival when new items (or revisions) were stored."""
    if not feed.backfilled:
        return schedule.seed_arrivals((i.published_at.timestamp() for i in items), now=now.timestamp())
    if counts.to_publish:
        return schedule.arrived(feed.arrivals or [], now=now.timestamp())
    return list(feed.arrivals or [])


class Recorder:
    """Writes polls to the store: items (deduped), status, validators and the next poll time."""

    def __init__(self, settings: IngestSettings, sessions: sessionmaker[Session]) -> None:
        self._settings = settings
        self._sessions = sessions
        self._policy = schedule.Policy.from_settings(settings)

    def write(self, batch: list[Prepared]) -> list[PollOutcome]:
        """Record a batch in one transaction; if that fails, record each on its own so one cannot sink all."""
        try:
            with self._sessions.begin() as session:
                return self.record(session, batch)
        except Exception:
            if len(batch) == 1:
                raise
            log.exception("Batch write failed, recording polls one by one", extra={"polls": len(batch)})
            return [self._write_one(prepared) for prepared in batch]

    def _write_one(self, prepared: Prepared) -> PollOutcome:
        try:
            with self._sessions.begin() as session:
                return self.record(session, [prepared])[0]
        except Exception:
            log.exception("Poll could not be recorded", extra={"feed_id": prepared.snapshot.id})
            failed = FetchResult("error", prepared.snapshot.url, "internal", "the poll could not be recorded")
            with self._sessions.begin() as session:
                return self.record(session, [Prepared(prepared.snapshot, failed)])[0]

    def record(self, session: Session, batch: list[Prepared]) -> list[PollOutcome]:
        """Record a batch in the caller's transaction (a feed deleted meanwhile gives ``gone``)."""
        ids = [p.snapshot.id for p in batch]
        feeds = {f.id: f for f in session.scalars(select(Feed).where(Feed.id.in_(ids)))}
        now = utcnow()
        return [self._record(session, feeds.get(p.snapshot.id), p, now) for p in batch]

    def _record(self, session: Session, feed: Feed | None, prepared: Prepared, now: datetime) -> PollOutcome:
        if feed is None or feed.deleted_at is not None:
            return PollOutcome("gone")
        before = state_of(feed, failing_threshold=self._settings.failing_threshold)
        outcome = self._apply(session, feed, prepared, now)
        self._log_change(feed, before, prepared.result)
        return outcome

    def _apply(self, session: Session, feed: Feed, prepared: Prepared, now: datetime) -> PollOutcome:
        result = prepared.result
        feed.lease_owner = feed.lease_until = None  # the poll is over: the next one may go to any replica
        feed.last_polled_at = now
        feed.last_status_code = result.status_code
        if result.outcome == "error":
            self._record_failure(feed, result, now)
            return PollOutcome("error", result.reason)
        counts = self._store(session, feed, prepared, now)
        if counts and counts.to_publish and subscriptions.active(feed.websub, now=now):
            assert feed.websub is not None
            feed.websub.next_action_at = now  # the hub did not push these: check it with a renewal now
        if prepared.parsed is not None and self._settings.websub_callback_url:
            links = websub.discover(result.link_header, prepared.parsed.links, url=result.url)
            if links is not None:
                subscriptions.want(session, feed, links, now=now)
        self._record_success(feed, result, prepared.parsed, now)
        return PollOutcome(result.outcome, "none", counts)

    def _store(self, session: Session, feed: Feed, prepared: Prepared, now: datetime) -> StoreCounts | None:
        """Dedupe and store a parsed document's items; note the arrival of new ones."""
        if prepared.parsed is None or prepared.items is None:
            return None
        backfill_since = None if feed.backfilled else now - timedelta(seconds=self._settings.backfill_window_s)
        counts = store_items(
            session,
            feed_id=feed.id,
            items=prepared.items,
            now=now,
            backfill_since=backfill_since,
            first_items=feed.items_seen == 0,
        )
        feed.items_seen += counts.new + counts.archived
        feed.parse_warning = prepared.parsed.warning
        feed.arrivals = _arrivals(feed, prepared.items, counts, now)
        feed.backfilled = True
        return counts

    def push(self, prepared: Prepared) -> PollOutcome:
        """Record content a WebSub hub pushed: its items stored as a poll's are; the poll schedule is untouched."""
        with self._sessions.begin() as session:
            feed = session.get(Feed, prepared.snapshot.id)
            if feed is None or feed.deleted_at is not None:
                return PollOutcome("gone")
            now = utcnow()
            counts = self._store(session, feed, prepared, now)
            if feed.websub is not None:
                feed.websub.last_push_at = now
            return PollOutcome("ok", "none", counts)

    def _log_change(self, feed: Feed, before: FeedState, result: FetchResult) -> None:
        """One line per feed per change of state, not per poll: a feed failing for days logs twice."""
        after = state_of(feed, failing_threshold=self._settings.failing_threshold)
        if after == before:
            return
        fields = {"feed_id": feed.id, "feed_url": feed.url, "state": after, "previous_state": before}
        if after == "ok":
            log.info("Feed recovered" if before in {"error", "failing"} else "Feed is ok", extra=fields)
        elif after == "error":
            log.warning("Feed poll failed", extra={**fields, "reason": result.reason, "error": result.error})
        else:
            log.warning(
                "Feed is failing",
                extra={**fields, "failures": feed.consecutive_failures, "reason": result.reason, "error": result.error},
            )

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
            arrivals=feed.arrivals or (),
            now=now.timestamp(),
        )
        if subscriptions.active(feed.websub, now=now):  # pushed to: the poll is only the fallback
            delay = max(delay, self._settings.websub_poll_interval_s)
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
