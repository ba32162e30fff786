"""Registering feeds: one registration per normalised URL, and a deleted feed that comes back stays quiet."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.models import Feed
from services.ingest.registry import change, register, register_all
from services.ingest.schemas import FeedCreate, FeedUpdate
from services.ingest.store import FeedExists, delete_feed, get_feed, list_feeds
from services.pipeline.netguard import NetworkPolicy
from tests.ingest.conftest import PollRunner, Reply, Site, feed, item, rss
from tests.ingest.test_poller import ack_all, pending

POLICY = NetworkPolicy("127.0.0.0/8")


def add(sessions: sessionmaker[Session], url: str, **fields: Any) -> str:
    with sessions.begin() as session:
        return register(session, FeedCreate(url=url, **fields), policy=POLICY, floor_s=1).id


def delete(sessions: sessionmaker[Session], feed_id: str) -> None:
    """What DELETE /v1/feeds/{id} does."""
    with sessions.begin() as session:
        found = get_feed(session, feed_id)
        assert found is not None
        delete_feed(session, feed=found)


def test_spellings_of_one_url_are_one_feed(sessions: sessionmaker[Session], site: Site) -> None:
    port = site.server_address[1]
    feed_id = add(sessions, f"http://127.0.0.1:{port}/file/f1.xml")
    for spelling in (
        f"HTTP://127.0.0.1:{port}/file/f1.xml#frag",
        f"http://127.0.0.1:{port}/file/f1.xml?utm_source=x&fbclid=y",
        f"  http://127.0.0.1:{port}/file/f1.xml  ",
    ):
        with pytest.raises(FeedExists) as raised, sessions.begin() as session:
            register(session, FeedCreate(url=spelling), policy=POLICY, floor_s=1)
        assert raised.value.feed_id == feed_id, spelling
    with sessions() as session:
        assert [f.url for f in list_feeds(session)] == [f"http://127.0.0.1:{port}/file/f1.xml"]


def test_the_stored_url_is_normalised(sessions: sessionmaker[Session]) -> None:
    spec = FeedCreate(url="HTTPS://News.Example.ORG:443/feed?utm_medium=rss&id=7#top")
    with sessions.begin() as session:
        feed_id = register(session, spec, policy=POLICY, floor_s=1, resolve=False).id
    assert feed(sessions, feed_id).url == "https://news.example.org/feed?id=7"
    moved = add(sessions, "http://127.0.0.1/b.xml")
    with sessions.begin() as session:
        found = get_feed(session, moved)
        assert found is not None
        change(session, found, FeedUpdate(url="HTTP://127.0.0.1:80/a.xml?utm_campaign=z#x"), policy=POLICY, floor_s=1)
    assert feed(sessions, moved).url == "http://127.0.0.1/a.xml"


def test_a_batch_reports_the_duplicates_it_skipped(sessions: sessionmaker[Session]) -> None:
    first = add(sessions, "http://127.0.0.1/a.xml")
    specs = [FeedCreate(url="http://127.0.0.1:80/a.xml#x"), FeedCreate(url="http://127.0.0.1/b.xml")]
    report = register_all(sessions, specs, policy=POLICY, floor_s=1)
    assert (report.created, report.existing) == (1, 1)
    assert report.skipped == [{"url": "http://127.0.0.1:80/a.xml#x", "id": first}]


def test_a_feed_deleted_and_added_again_does_not_publish_its_items_again(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    url = site.serve("/f", Reply(200, rss([item(1), item(2)])))
    feed_id = add(sessions, url, title="Wire")
    runner.poll(feed_id)
    assert len(pending(sessions)) == 2
    ack_all(sessions)
    site.serve("/f", Reply(200, rss([item(1), item(2), item(3)])))
    runner.poll(feed_id)  # item 3 is stored but the feed goes before the broker took it
    delete(sessions, feed_id)
    with sessions() as session:
        assert get_feed(session, feed_id) is None and list_feeds(session) == []
    assert pending(sessions) == []  # a deleted feed's unsent items leave the outbox
    site.serve("/f", Reply(200, rss([item(1), item(2), item(3), item(4)])))
    again = add(sessions, url + "#again", regulator="gb-fca")
    assert again == feed_id
    revived = feed(sessions, feed_id)
    assert (revived.title, revived.regulator, revived.enabled, revived.etag) == (
        "127.0.0.1",
        "gb-fca",
        True,
        None,
    )
    [outcome] = runner.poll(feed_id)
    assert outcome.counts is not None and (outcome.counts.new, outcome.counts.unchanged) == (1, 3)
    assert [i.title for i in pending(sessions)] == ["Regulator fines company 4"]


def test_a_poll_of_a_deleted_feed_records_nothing(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    feed_id = add(sessions, site.serve("/f", Reply(200, rss([item(1)]))))
    delete(sessions, feed_id)
    assert runner.poll(feed_id) == []
    assert pending(sessions) == [] and site.hits("/f") == []


def test_moving_a_feed_onto_a_deleted_feeds_url_replaces_that_one(sessions: sessionmaker[Session]) -> None:
    gone = add(sessions, "http://127.0.0.1/a.xml")
    moving = add(sessions, "http://127.0.0.1/b.xml")
    delete(sessions, gone)
    with sessions.begin() as session:
        found = get_feed(session, moving)
        assert found is not None
        change(session, found, FeedUpdate(url="http://127.0.0.1/a.xml"), policy=POLICY, floor_s=1)
    with sessions() as session:
        assert [(f.id, f.url) for f in list_feeds(session)] == [(moving, "http://127.0.0.1/a.xml")]
        assert session.get(Feed, gone) is None
