"""The WebSub subscriptions in the store: keyword-only functions over a session (callers commit).

A subscription is wanted once a poll finds a hub (``want``), requested by whichever replica claims it when
due (``claim_due``), active once the hub verifies our intent (``verify``), renewed at two thirds of its
lease, and dropped back to plain polling (the feed due at once) when a request fails, the hub denies it or
the lease lapses.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.ingest import websub
from services.ingest.models import Feed, HubSubscription
from services.ingest.websub import HubLinks


@dataclass(frozen=True)
class Request:
    """A subscription request to send: what the hub needs, and the time it was marked requested."""

    id: str
    hub_url: str
    topic_url: str
    secret: str
    requested_at: datetime
    renewal: bool


def active(subscription: HubSubscription | None, *, now: datetime) -> bool:
    """True while the hub holds a verified subscription, its lease not ended and its renewals not failing."""
    return (
        subscription is not None
        and subscription.state == "active"
        and subscription.expires_at is not None
        and subscription.expires_at > now
    )


def want(session: Session, feed: Feed, links: HubLinks, *, now: datetime) -> None:
    """Make sure the feed has a subscription to ``links`` (a new one, with a new callback and secret, when the
    feed names another hub or topic than its current one)."""
    current = feed.websub
    if current is not None and (current.hub_url, current.topic_url) == (links.hub, links.topic):
        return
    if current is not None:
        session.delete(current)
        session.flush()
    feed.websub = HubSubscription(
        id=secrets.token_urlsafe(32),
        hub_url=links.hub,
        topic_url=links.topic,
        secret=secrets.token_urlsafe(48),
        state="new",
        next_action_at=now,
        failures=0,
    )
    session.flush()


def claim_due(session: Session, *, now: datetime, limit: int, lease_s: float) -> list[Request]:
    """Claim the subscriptions due for a request (new, renewal or retry) for ``lease_s``, mark them requested
    now and return what to send. A lapsed lease first sends its feed back to polling at once."""
    due = (HubSubscription.next_action_at <= now, Feed.deleted_at.is_(None), Feed.enabled.is_(True))
    candidates = (
        select(HubSubscription.id)
        .join(Feed, Feed.id == HubSubscription.feed_id)
        .where(*due)
        .order_by(HubSubscription.next_action_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=HubSubscription)
    )
    claimed = session.scalars(
        update(HubSubscription)
        .where(HubSubscription.id.in_(candidates.scalar_subquery()), HubSubscription.next_action_at <= now)
        .values(next_action_at=now + timedelta(seconds=lease_s))
        .returning(HubSubscription.id)
        .execution_options(synchronize_session=False)
    ).all()
    requests = []
    for subscription in session.scalars(select(HubSubscription).where(HubSubscription.id.in_(claimed))):
        if subscription.state == "active" and not active(subscription, now=now):
            fall_back(
                session, subscription, state="lapsed", error="the lease ended before a renewal was verified", now=now
            )
        elif subscription.requested_at is not None and subscription.state != "active":
            subscription.failures += 1  # the hub never verified the last request
        subscription.requested_at = now
        requests.append(
            Request(
                subscription.id,
                subscription.hub_url,
                subscription.topic_url,
                subscription.secret,
                now,
                subscription.state == "active",
            )
        )
    return requests


def fall_back(session: Session, subscription: HubSubscription, *, state: str, error: str, now: datetime) -> None:
    """The subscription cannot be relied on: note why, and poll its feed at once."""
    subscription.state, subscription.last_error = state, error
    session.execute(
        update(Feed)
        .where(Feed.id == subscription.feed_id, Feed.next_poll_at > now)
        .values(next_poll_at=now)
        .execution_options(synchronize_session=False)
    )


def request_sent(
    session: Session, request: Request, *, error: str | None, retry_s: Callable[[int], float], now: datetime
) -> HubSubscription | None:
    """Record what the hub answered to ``request`` (unless a newer request or its verification came since).

    Accepted: wait for the verification, until the lease ends for a renewal, else ``retry_s(failures + 1)``.
    Refused or unreachable: back to polling, retried after ``retry_s(failures)``.
    """
    subscription = session.get(HubSubscription, request.id)
    if subscription is None or subscription.requested_at != request.requested_at:
        return None
    if error is None:
        wait_until = subscription.expires_at if request.renewal and subscription.expires_at else None
        subscription.next_action_at = wait_until or now + timedelta(seconds=retry_s(subscription.failures + 1))
        return subscription
    subscription.failures += 1
    subscription.requested_at = None
    subscription.next_action_at = now + timedelta(seconds=retry_s(subscription.failures))
    fall_back(session, subscription, state="failed", error=error, now=now)
    return subscription


def by_callback(session: Session, callback_id: str) -> HubSubscription | None:
    """The subscription whose callback URL ends in ``callback_id``, when its feed still exists."""
    subscription = session.get(HubSubscription, callback_id)
    if subscription is None:
        return None
    feed = session.get(Feed, subscription.feed_id)
    return subscription if feed is not None and feed.deleted_at is None else None


def verify(session: Session, subscription: HubSubscription, *, topic: str, lease_s: float, now: datetime) -> bool:
    """The hub asks us to confirm a subscription (spec §5.3): True, and the subscription active for
    ``lease_s``, only when we requested it for this topic and are waiting for this confirmation."""
    if subscription.requested_at is None or topic != subscription.topic_url or lease_s <= 0:
        return False
    subscription.state, subscription.last_error, subscription.failures = "active", None, 0
    subscription.requested_at = None
    subscription.expires_at = now + timedelta(seconds=lease_s)
    subscription.next_action_at = websub.renewal_due(now, lease_s)
    return True


def denied(
    session: Session, subscription: HubSubscription, *, topic: str, reason: str, retry_s: float, now: datetime
) -> bool:
    """The hub refused the subscription (spec §5.2): back to polling, asked again after ``retry_s``."""
    if topic != subscription.topic_url:
        return False
    subscription.requested_at, subscription.expires_at = None, None
    subscription.next_action_at = now + timedelta(seconds=retry_s)
    fall_back(session, subscription, state="denied", error=f"denied by the hub: {reason}"[:500], now=now)
    return True
