"""Registering one feed (``POST /v1/feeds``, ``regalerts feeds add``): its URL is fetched once first.

What the fetch found decides: a feed is registered and the fetch is recorded as its first poll (items,
status, next poll), so the answer says what was there; anything else is refused with the reason ("HTTP
404", "an HTML page, not a feed: it links to these feeds: ..."), unless the caller forces it. An address
the SSRF policy refuses is never registered, forced or not.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from services.ingest.fetcher import Fetcher
from services.ingest.metrics import FEED_POLLS
from services.ingest.models import Feed
from services.ingest.recorder import FeedSnapshot, PollOutcome, Prepared, Recorder, prepare
from services.ingest.registry import check_feed_url, check_interval
from services.ingest.schemas import FeedCheck, FeedCreate, FeedRegister
from services.ingest.settings import IngestSettings
from services.ingest.store import FeedExists, create_feed, feed_by_url
from services.ingest.text import plain_text
from services.pipeline.netguard import NetworkPolicy

UNFORCEABLE = frozenset({"blocked"})  # the SSRF policy's refusals


class NotAFeed(Exception):
    """The URL gave no feed; ``forceable`` says whether registering it anyway is allowed."""

    def __init__(self, prepared: Prepared) -> None:
        result = prepared.result
        self.error = result.error or result.reason
        self.reason = result.reason
        self.feeds = list(prepared.alternates)
        self.forceable = result.reason not in UNFORCEABLE
        super().__init__(self.error)


def target(sessions: sessionmaker[Session], spec: FeedCreate, *, policy: NetworkPolicy, floor_s: float) -> FeedSnapshot:
    """What the check fetches: the normalised URL under the id the feed will have (a deleted feed's own).

    InvalidFeed for a bad URL or interval, FeedExists when the URL is registered: neither costs a fetch.
    Addresses are checked by the fetch itself, through the SSRF guard.
    """
    url = check_feed_url(spec.url, policy, resolve=False)
    check_interval(spec.poll_interval_s, floor_s)
    with sessions() as session:
        existing = feed_by_url(session, url=url)
    if existing is not None and existing.deleted_at is None:
        raise FeedExists(existing.id)
    feed_id = existing.id if existing is not None else uuid.uuid4().hex
    return FeedSnapshot(feed_id, url, None, None, spec.language, spec.regulator, spec.jurisdiction)


def verdict(prepared: Prepared, *, force: bool) -> None:
    """Raise NotAFeed unless the fetch gave a feed, or it may be forced and is."""
    if prepared.result.outcome == "error" and not (force and prepared.result.reason not in UNFORCEABLE):
        raise NotAFeed(prepared)


def check_of(prepared: Prepared) -> FeedCheck:
    """The API's account of the check."""
    parsed, result = prepared.parsed, prepared.result
    return FeedCheck(
        feed=parsed is not None,
        title=plain_text(parsed.title, limit=500) or None if parsed else None,
        items=len(parsed.entries) if parsed else None,
        error=result.error if result.outcome == "error" else None,
        feeds=list(prepared.alternates),
    )


def enrol(
    sessions: sessionmaker[Session], spec: FeedRegister, prepared: Prepared, *, recorder: Recorder
) -> tuple[Feed, PollOutcome]:
    """Register the checked feed and record the check as its first poll, in one transaction."""
    snapshot = prepared.snapshot
    fields = spec.model_dump(exclude={"url", "force"})
    own_title = plain_text(prepared.parsed.title, limit=500) if prepared.parsed else ""
    fields["title"] = fields["title"] or own_title or urlsplit(snapshot.url).hostname or snapshot.url
    with sessions.begin() as session:
        feed = create_feed(session, url=snapshot.url, feed_id=snapshot.id, **fields)
        [outcome] = recorder.record(session, [prepared])
    FEED_POLLS.labels(outcome=outcome.outcome, reason=outcome.reason).inc()
    return feed, outcome


async def fetch_once(settings: IngestSettings, policy: NetworkPolicy, snapshot: FeedSnapshot) -> Prepared:
    """Fetch and parse in this process (the command line has no scheduler to ask)."""
    fetcher = Fetcher(settings, policy)
    try:
        result = await fetcher.fetch(snapshot.url)
    finally:
        await fetcher.aclose()
    return prepare(snapshot, result)
