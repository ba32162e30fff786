"""Registering and changing feeds, shared by the API and the command line: URL checks and interval floor."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.models import Feed
from services.ingest.normalise import canonical_link
from services.ingest.schemas import FeedCreate, FeedUpdate
from services.ingest.store import FeedExists, create_feed, feed_by_url, purge_feed
from services.pipeline.db import utcnow
from services.pipeline.netguard import BlockedURL, NetworkPolicy


class Registered(BaseModel):
    """What registering a list of feeds did."""

    created: int = 0
    existing: int = 0
    skipped: list[dict[str, str]] = Field(
        default_factory=list, description="Feeds already registered: url and the registered feed's id."
    )
    refused: list[dict[str, str]] = Field(default_factory=list)


class InvalidFeed(ValueError):
    """The feed cannot be registered as given; the message says why."""


def check_feed_url(url: str, policy: NetworkPolicy, *, resolve: bool = True) -> str:
    """The URL normalised, or InvalidFeed when it is not http(s) or (resolving it) reaches a refused address.

    Normalised as item links are (``normalise.canonical_link``): scheme and host in lower case, default
    port and fragment dropped, tracking parameters (utm_*, fbclid, ...) removed. Feeds are stored and
    compared in this form, so one feed cannot be registered twice under different spellings.
    """
    url = url.strip()
    try:
        if resolve:
            policy.check_url(url)
        else:
            parts = urlsplit(url)
            if parts.scheme not in {"http", "https"} or not parts.hostname or parts.username or parts.password:
                raise BlockedURL("not an http(s) URL with a host and no credentials")
    except BlockedURL as exc:
        raise InvalidFeed(f"feed URL refused: {exc}") from exc
    canonical = canonical_link(url, url)
    if canonical is None:
        raise InvalidFeed("feed URL refused: not an http(s) URL with a host")
    return canonical


def check_interval(interval_s: float | None, floor_s: float) -> None:
    """InvalidFeed when a poll interval is below the floor."""
    if interval_s is not None and interval_s < floor_s:
        raise InvalidFeed(f"poll_interval_s must be at least {floor_s:g} seconds")


def register(
    session: Session, spec: FeedCreate, *, policy: NetworkPolicy, floor_s: float, resolve: bool = True
) -> Feed:
    """Register a feed, due for polling at once; FeedExists when the URL is already registered."""
    url = check_feed_url(spec.url, policy, resolve=resolve)
    check_interval(spec.poll_interval_s, floor_s)
    fields = spec.model_dump(exclude={"url"})
    fields["title"] = fields["title"] or urlsplit(url).hostname or url
    return create_feed(session, url=url, next_poll_at=utcnow(), **fields)


def change(session: Session, feed: Feed, spec: FeedUpdate, *, policy: NetworkPolicy, floor_s: float) -> Feed:
    """Apply an update; a new URL is checked and polled afresh (validators and backfill reset)."""
    changes = spec.model_dump(exclude_unset=True)
    check_interval(changes.get("poll_interval_s"), floor_s)
    url = changes.pop("url", None)
    url = check_feed_url(url, policy) if url is not None else None
    if url is not None and url != feed.url:
        other = feed_by_url(session, url=url)
        if other is not None and other.deleted_at is None:
            raise FeedExists(other.id)
        if other is not None:
            purge_feed(session, feed=other)  # a deleted feed's memory gives way to the one moving there
        feed.url, feed.etag, feed.last_modified, feed.backfilled = url, None, None, False
        feed.next_poll_at = utcnow()
    for name, value in changes.items():
        if name == "enabled" and value is None:
            continue
        setattr(feed, name, value)
    if changes.get("enabled") and feed.next_poll_at > utcnow() + timedelta(days=1):
        feed.next_poll_at = utcnow()
    session.flush()
    return feed


def register_all(
    sessions: sessionmaker[Session],
    specs: list[FeedCreate],
    *,
    policy: NetworkPolicy,
    floor_s: float,
    resolve: bool = True,
) -> Registered:
    """Register each feed in its own transaction: one refused or already registered does not stop the others."""
    report = Registered()
    for spec in specs:
        try:
            with sessions.begin() as session:
                register(session, spec, policy=policy, floor_s=floor_s, resolve=resolve)
            report.created += 1
        except FeedExists as exc:
            report.existing += 1
            report.skipped.append({"url": spec.url, "id": exc.feed_id})
        except InvalidFeed as exc:
            report.refused.append({"url": spec.url, "error": str(exc)})
    return report
