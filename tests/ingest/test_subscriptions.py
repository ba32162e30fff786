"""WebSub subscriptions in the store, on SQLite and PostgreSQL: wanted, claimed, verified, renewed, and back to
polling when a request fails, the hub denies or the lease lapses."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from services.ingest import subscriptions
from services.ingest.models import Feed, HubSubscription
from services.ingest.websub import HubLinks
from services.pipeline.db import utcnow
from tests.ingest.conftest import add_feed

LINKS = HubLinks("https://hub.example.net/", "https://news.example.org/feed.xml")


def subscribed(sessions: sessionmaker[Session]) -> str:
    """A feed with a subscription wanted; its feed id."""
    feed_id = add_feed(sessions, "https://news.example.org/feed.xml", next_poll_at=utcnow() + timedelta(hours=1))
    with sessions.begin() as session:
        feed = session.get(Feed, feed_id)
        assert feed is not None
        subscriptions.want(session, feed, LINKS, now=utcnow())
    return feed_id


def claim(sessions: sessionmaker[Session], *, at_s: float = 0.0) -> list[subscriptions.Request]:
    with sessions.begin() as session:
        return subscriptions.claim_due(session, now=utcnow() + timedelta(seconds=at_s), limit=10, lease_s=30)


def subscription(sessions: sessionmaker[Session], feed_id: str) -> HubSubscription:
    with sessions() as session:
        feed = session.get(Feed, feed_id)
        assert feed is not None and feed.websub is not None
        return feed.websub


def test_a_verified_subscription_is_renewed_at_two_thirds_of_its_lease(sessions: sessionmaker[Session]) -> None:
    feed_id = subscribed(sessions)
    [request] = claim(sessions)
    assert (request.hub_url, request.topic_url, request.renewal) == (LINKS.hub, LINKS.topic, False)
    assert claim(sessions) == []  # claimed: no second replica sends it
    with sessions.begin() as session:
        found = subscriptions.by_callback(session, request.id)
        assert found is not None
        assert not subscriptions.verify(session, found, topic=LINKS.topic + "?other", lease_s=900, now=utcnow())
        assert subscriptions.verify(session, found, topic=LINKS.topic, lease_s=900, now=utcnow())
        assert not subscriptions.verify(session, found, topic=LINKS.topic, lease_s=900, now=utcnow())  # not asked again
    active = subscription(sessions, feed_id)
    assert active.state == "active" and active.expires_at is not None
    assert abs((active.next_action_at - active.expires_at).total_seconds() + 300) < 1
    assert claim(sessions, at_s=500) == []
    [renewal] = claim(sessions, at_s=601)
    assert renewal.renewal and renewal.secret == request.secret and renewal.id == request.id


def test_a_failed_request_sends_the_feed_back_to_polling_and_is_retried(sessions: sessionmaker[Session]) -> None:
    feed_id = subscribed(sessions)
    [request] = claim(sessions)
    with sessions.begin() as session:
        subscriptions.request_sent(
            session, request, error="the hub answered HTTP 500", retry_s=lambda n: 60.0 * n, now=utcnow()
        )
    failed = subscription(sessions, feed_id)
    assert (failed.state, failed.failures, failed.last_error) == ("failed", 1, "the hub answered HTTP 500")
    with sessions() as session:
        feed = session.get(Feed, feed_id)
        assert feed is not None and feed.next_poll_at <= utcnow()  # polled at once
    assert claim(sessions, at_s=30) == []
    assert len(claim(sessions, at_s=61)) == 1


def test_a_lease_that_ends_unrenewed_lapses_and_the_hub_is_asked_again(sessions: sessionmaker[Session]) -> None:
    feed_id = subscribed(sessions)
    [request] = claim(sessions)
    with sessions.begin() as session:
        found = subscriptions.by_callback(session, request.id)
        assert found is not None
        subscriptions.verify(session, found, topic=LINKS.topic, lease_s=60, now=utcnow())
    [renewal] = claim(sessions, at_s=41)
    with sessions.begin() as session:  # the hub accepts the renewal but never verifies it
        subscriptions.request_sent(session, renewal, error=None, retry_s=lambda n: 60.0, now=utcnow())
    [again] = claim(sessions, at_s=61)
    assert not again.renewal
    lapsed = subscription(sessions, feed_id)
    assert lapsed.state == "lapsed" and "lease ended" in (lapsed.last_error or "")
    with sessions() as session:
        feed = session.get(Feed, feed_id)
        assert feed is not None and feed.next_poll_at <= utcnow() + timedelta(seconds=61)


def test_a_denial_and_a_new_hub(sessions: sessionmaker[Session]) -> None:
    feed_id = subscribed(sessions)
    [request] = claim(sessions)
    with sessions.begin() as session:
        found = subscriptions.by_callback(session, request.id)
        assert found is not None
        assert subscriptions.denied(session, found, topic=LINKS.topic, reason="no", retry_s=3600, now=utcnow())
    assert subscription(sessions, feed_id).state == "denied"
    with sessions.begin() as session:
        feed = session.get(Feed, feed_id)
        assert feed is not None
        subscriptions.want(session, feed, LINKS, now=utcnow())  # the same hub: nothing changes
        assert feed.websub is not None and feed.websub.id == request.id
        subscriptions.want(session, feed, HubLinks("https://other-hub.example.net/", LINKS.topic), now=utcnow())
    moved = subscription(sessions, feed_id)
    assert moved.id != request.id and moved.secret != request.secret and moved.state == "new"
    with sessions() as session:
        assert subscriptions.by_callback(session, request.id) is None  # the old callback is gone
