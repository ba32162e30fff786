"""One ingest replica at a time publishes the outbox: two publishers on one store send each item once, and
when the one publishing stops the other takes over at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.leases import hold, let_go
from services.ingest.models import Lease
from services.ingest.publisher import OUTBOX, Publisher
from services.pipeline.broker import EmbeddedBroker
from services.pipeline.db import Base, make_engine, make_session_factory, utcnow
from tests.ingest.conftest import PollRunner, Reply, Site, add_feed, item, make_settings, rss
from tests.ingest.kafka_reader import read_raw
from tests.ingest.test_publisher import backlog, producer_factory, wait_for


def take(sessions: sessionmaker[Session], owner: str, *, at: float = 0) -> bool:
    with sessions.begin() as session:
        return hold(session, name="outbox", owner=owner, now=utcnow() + timedelta(seconds=at), lease_s=30)


def test_one_holder_at_a_time_and_a_lapsed_or_released_lease_passes_on(sessions: sessionmaker[Session]) -> None:
    assert take(sessions, "a") and not take(sessions, "b")
    assert take(sessions, "a")  # renewed; also what a process starting again under "a" does
    assert take(sessions, "b", at=31) and not take(sessions, "a", at=31)  # "a" stopped renewing
    with sessions.begin() as session:
        let_go(session, name="outbox", owner="b", now=utcnow() + timedelta(seconds=31))
    assert take(sessions, "a", at=32)


@pytest.fixture
def store(tmp_path: Path) -> tuple[str, sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'ingest.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    return url, make_session_factory(engine)


def test_two_replicas_publish_each_item_once_and_one_takes_over_from_the_other(
    broker: EmbeddedBroker, site: Site, store: tuple[str, sessionmaker[Session]]
) -> None:
    url, sessions = store
    base = {"kafka_bootstrap_servers": broker.bootstrap, "publish_batch": 20, "publish_idle_s": 0.05}
    settings = {name: make_settings(url, replica_id=name, **base) for name in ("a", "b")}
    runner = PollRunner(settings["a"], sessions)
    feed = site.serve("/f", Reply(200, rss([item(n) for n in range(200)])))
    feed_id = add_feed(sessions, feed)
    runner.poll(feed_id)
    publishers = {
        name: Publisher(settings=s, sessions=sessions, make_producer=producer_factory(s))
        for name, s in settings.items()
    }
    threads = {name: threading.Thread(target=p.run, daemon=True) for name, p in publishers.items()}
    for thread in threads.values():
        thread.start()
    try:
        wait_for(lambda: backlog(sessions) == 0, 60, "the outbox drained")
        first = read_raw(broker.bootstrap, feed_id=feed_id, expected=200, settle=2.0)
        assert not {k: n for k, n in Counter(raw.item_id for _e, raw, _k in first).items() if n > 1}
        assert len(first) == 200
        with sessions() as session:
            holder = session.scalars(select(Lease.owner).where(Lease.name == OUTBOX)).one()
        publishers[holder].stop()
        threads[holder].join(timeout=30)
        site.serve("/f", Reply(200, rss([item(n) for n in range(210)])))
        runner.poll(feed_id)
        wait_for(lambda: backlog(sessions) == 0, 10, "the other replica publishing at once")
        assert len(read_raw(broker.bootstrap, feed_id=feed_id, expected=210, settle=1.0)) == 210
    finally:
        for publisher in publishers.values():
            publisher.stop()
        for thread in threads.values():
            thread.join(timeout=30)
