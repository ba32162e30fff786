"""The outbox publisher against the embedded broker: envelopes, acknowledgements, and a broker outage."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from kafka import KafkaProducer
from prometheus_client import REGISTRY
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.models import Item
from services.ingest.publisher import Publisher
from services.ingest.settings import IngestSettings
from services.ingest.store import backlog_size
from services.pipeline.broker import EmbeddedBroker, create_topics, free_port
from services.pipeline.db import Base, make_engine, make_session_factory
from services.pipeline.kafka import make_producer
from services.pipeline.tracing import trace_id_of
from tests.ingest.conftest import PollRunner, Reply, Site, add_feed, item, make_settings, rss
from tests.ingest.kafka_reader import read_raw


def producer_factory(settings: IngestSettings) -> Callable[[], KafkaProducer]:
    timeout_ms = int(settings.publish_timeout_s * 1000)
    return partial(
        make_producer,
        settings,
        client_id="ingest-test",
        max_block_ms=timeout_ms,
        delivery_timeout_ms=timeout_ms,
        request_timeout_ms=timeout_ms // 2,
    )


def backlog(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return backlog_size(session)


def published(kind: str) -> float:
    return REGISTRY.get_sample_value("regalerts_ingest_items_published_total", {"kind": kind}) or 0.0


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def sqlite_sessions(tmp_path: Path) -> sessionmaker[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'ingest.db'}")
    Base.metadata.create_all(engine)
    return make_session_factory(engine)


def test_items_are_published_in_envelopes_and_marked_once_acknowledged(
    broker: EmbeddedBroker, site: Site, sqlite_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'ingest.db'}", kafka_bootstrap_servers=broker.bootstrap)
    runner = PollRunner(settings, sqlite_sessions)
    feed_id = add_feed(sqlite_sessions, site.serve("/f", Reply(200, rss([item(1), item(2)]))))
    runner.poll(feed_id)
    publisher = Publisher(settings=settings, sessions=sqlite_sessions, make_producer=producer_factory(settings))
    new_before, update_before = published("new"), published("update")
    assert publisher.publish_round() == 2
    assert backlog(sqlite_sessions) == 0
    assert publisher.publish_round() == 0
    site.serve("/f", Reply(200, rss([item(1, title="Regulator fines company 1 again"), item(2)])))
    runner.poll(feed_id)
    assert publisher.publish_round() == 1
    publisher.stop()
    publisher.run()  # returns at once and closes the producer
    assert (published("new") - new_before, published("update") - update_before) == (2, 1)

    events = read_raw(broker.bootstrap, feed_id=feed_id, expected=3)
    assert len(events) == 3
    for event, raw, key in events:
        assert event.type == "org.regalerts.item.raw.v1" and event.source == "/regalerts/ingest"
        assert event.subject == raw.item_id and key == raw.item_id.encode()
        assert trace_id_of(event.traceparent) is not None
    revisions = sorted((raw.title, raw.revision, raw.is_update) for _e, raw, _k in events)
    assert revisions == [
        ("Regulator fines company 1", 1, False),
        ("Regulator fines company 1 again", 2, True),
        ("Regulator fines company 2", 1, False),
    ]


def test_broker_outage_items_are_delivered_afterwards_once_each(
    site: Site, sqlite_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    port = free_port()
    broker = EmbeddedBroker(port).start()
    create_topics(broker.bootstrap)
    settings = make_settings(
        f"sqlite:///{tmp_path / 'ingest.db'}",
        kafka_bootstrap_servers=broker.bootstrap,
        publish_timeout_s=2.0,
        publish_retry_s=0.2,
    )
    runner = PollRunner(settings, sqlite_sessions)
    publisher = Publisher(settings=settings, sessions=sqlite_sessions, make_producer=producer_factory(settings))
    runner.stored = 0
    thread = threading.Thread(target=publisher.run, daemon=True)
    thread.start()
    try:
        feed_id = add_feed(sqlite_sessions, site.serve("/f", Reply(200, rss([item(n) for n in range(3)]))))
        runner.poll(feed_id)
        publisher.wake()
        wait_for(lambda: backlog(sqlite_sessions) == 0, 30, "the first items to be acknowledged")

        broker.stop()  # the in-memory broker loses everything
        site.serve("/f", Reply(200, rss([item(n) for n in range(6)])))
        runner.poll(feed_id)  # polling goes on during the outage
        publisher.wake()
        wait_for(lambda: publisher.broker_failures >= 1, 30, "the publisher to notice the outage")
        assert backlog(sqlite_sessions) == 3
        assert REGISTRY.get_sample_value("regalerts_ingest_publish_backlog_items") == 3

        broker = EmbeddedBroker(port).start()
        create_topics(broker.bootstrap)
        wait_for(lambda: backlog(sqlite_sessions) == 0, 60, "the backlog to drain")
        events = read_raw(broker.bootstrap, feed_id=feed_id, expected=6)
        counts = Counter(raw.title for _e, raw, _k in events)
        assert counts == Counter({f"Regulator fines company {n}": 1 for n in range(6)})
    finally:
        publisher.stop()
        thread.join(timeout=20)
        broker.stop()
    assert not thread.is_alive()


def test_a_stored_item_that_no_longer_reads_is_set_aside_and_the_rest_goes_out(
    broker: EmbeddedBroker, site: Site, sqlite_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'ingest.db'}", kafka_bootstrap_servers=broker.bootstrap)
    feed_id = add_feed(sqlite_sessions, site.serve("/f", Reply(200, rss([item(1), item(2)]))))
    PollRunner(settings, sqlite_sessions).poll(feed_id)
    with sqlite_sessions.begin() as session:
        broken = session.scalars(select(Item).where(Item.feed_id == feed_id).order_by(Item.id)).first()
        assert broken is not None
        broken.payload = {"title": "no longer a RawItem"}
        broken_id = broken.id
    publisher = Publisher(settings=settings, sessions=sqlite_sessions, make_producer=producer_factory(settings))
    assert publisher.publish_round() == 2
    publisher.stop()
    publisher.run()
    assert backlog(sqlite_sessions) == 0
    with sqlite_sessions() as session:
        kept = session.get(Item, broken_id)
        assert kept is not None and kept.acked_at is None and not kept.pending
    [(_event, raw, _key)] = read_raw(broker.bootstrap, feed_id=feed_id, expected=1)
    assert raw.item_id != broken_id


@pytest.mark.parametrize("republish_on_start", [True, False])
def test_a_process_started_after_the_broker_came_back_empty_republishes_when_asked(
    site: Site, sqlite_sessions: sessionmaker[Session], tmp_path: Path, republish_on_start: bool
) -> None:
    url = f"sqlite:///{tmp_path / 'ingest.db'}"
    with EmbeddedBroker() as first:
        create_topics(first.bootstrap)
        settings = make_settings(url, kafka_bootstrap_servers=first.bootstrap)
        feed_id = add_feed(sqlite_sessions, site.serve("/f", Reply(200, rss([item(1), item(2)]))))
        PollRunner(settings, sqlite_sessions).poll(feed_id)
        assert (
            Publisher(
                settings=settings, sessions=sqlite_sessions, make_producer=producer_factory(settings)
            ).publish_round()
            == 2
        )
    with EmbeddedBroker() as second:  # a new, empty broker; a new ingest process
        create_topics(second.bootstrap)
        settings = make_settings(url, kafka_bootstrap_servers=second.bootstrap, republish_on_start=republish_on_start)
        publisher = Publisher(settings=settings, sessions=sqlite_sessions, make_producer=producer_factory(settings))
        assert publisher.publish_round() == (2 if republish_on_start else 0)
        publisher.stop()
        publisher.run()  # closes the producer
