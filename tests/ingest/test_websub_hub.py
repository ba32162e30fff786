"""WebSub against a hub written elsewhere (flask-websub's Hub, its Celery tasks run eagerly): ingest subscribes
to a feed that names the hub, the hub verifies the subscription, pushes a new item as soon as it is
published, the subscription is renewed before its lease ends, and polling takes over when the hub is gone."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from celery import Celery
from flask import Flask
from flask_websub.hub import Hub, SQLite3HubStorage
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from services.cli.supervisor import Child
from services.ingest.models import HubSubscription
from services.pipeline.broker import EmbeddedBroker
from services.pipeline.db import make_engine, make_session_factory
from services.pipeline.events import RawItem, decode
from services.pipeline.topics import ITEMS_RAW
from tests.ingest.conftest import Reply, Site, ingest_process, item, rss

LEASE_S = 6  # asked of the hub: renewed after 4 s


class OneRequestPerConnection(WSGIRequestHandler):
    protocol_version = "HTTP/1.0"


class FlaskWebSubHub:
    """flask-websub's hub on a local werkzeug server, in a thread; ``stop`` takes it away for good."""

    def __init__(self, tmp_path: Path) -> None:
        celery = Celery("websub-hub", set_as_current=False)
        celery.conf.task_always_eager = True
        app = Flask("websub-hub")
        app.config.update(PUBLISH_SUPPORTED=True, HUB_MIN_LEASE_SECONDS=1)
        self.hub = Hub(SQLite3HubStorage(str(tmp_path / "hub.db")), celery, SIGNATURE_ALGORITHM="sha256")
        app.register_blueprint(self.hub.build_blueprint(url_prefix="/hub"))
        # One request per connection: once stopped, no kept-alive connection still reaches the hub.
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=OneRequestPerConnection)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hub"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, topic: str) -> int:
        """Tell the hub the topic changed: it fetches it and pushes it to the subscribers before answering."""
        return httpx.post(self.url, data={"hub.mode": "publish", "hub.topic": topic}, timeout=10).status_code

    def callbacks(self, topic: str) -> list[Any]:
        return list(self.hub.storage.get_callbacks(topic))

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RawWatcher:
    """Reads the raw topic from the start in a thread and notes when each item's event arrived, by feed and
    title (the session's broker holds other tests' items too)."""

    def __init__(self, bootstrap: str) -> None:
        self.arrived: dict[tuple[str, str], float] = {}
        self._stop = threading.Event()
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
        partitions = self._consumer.partitions_for_topic(ITEMS_RAW.name) or set()
        self._consumer.assign([TopicPartition(ITEMS_RAW.name, p) for p in partitions])
        self._consumer.seek_to_beginning()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for records in self._consumer.poll(timeout_ms=50).values():
                for record in records:
                    _event, payload = decode(record.value)
                    assert isinstance(payload, RawItem)
                    self.arrived.setdefault((payload.feed_id, payload.title), time.monotonic())

    def wait(self, feed_id: str, title: str, timeout: float) -> float:
        """When the feed's item titled ``title`` arrived (monotonic); fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while (feed_id, title) not in self.arrived:
            assert time.monotonic() < deadline, f"{title!r} never reached the raw topic"
            time.sleep(0.01)
        return self.arrived[feed_id, title]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._consumer.close()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[FlaskWebSubHub]:
    running = FlaskWebSubHub(tmp_path)
    yield running
    running.stop()


@pytest.fixture
def watcher(broker: EmbeddedBroker) -> Iterator[RawWatcher]:
    reader = RawWatcher(broker.bootstrap)
    yield reader
    reader.close()


@pytest.fixture
def ingest(broker: EmbeddedBroker, tmp_path: Path) -> Iterator[tuple[Child, str, str]]:
    with ingest_process(
        broker.bootstrap,
        tmp_path,
        websub_callback_url="http://127.0.0.1:{port}",
        websub_lease_s=str(LEASE_S),
        websub_poll_interval_s="600",  # while pushed to, no poll within the test
        poll_interval_floor_s="1",
        poll_interval_s="2",
        poll_interval_max_s="2",
        poll_jitter="0",
        backoff_base_s="1",
        scheduler_tick_s="0.1",
        publish_idle_s="0.1",
        parse_processes="0",
    ) as running:
        yield running


def wait_for(probe: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_items_come_by_push_and_by_polling_once_the_hub_is_gone(
    ingest: tuple[Child, str, str], hub: FlaskWebSubHub, site: Site, watcher: RawWatcher
) -> None:
    child, token, _database = ingest
    topic = site.url("/feed.xml")
    links = {"Content-Type": "application/rss+xml", "Link": f'<{hub.url}>; rel="hub", <{topic}>; rel="self"'}
    entries = [item(1), item(2)]
    site.serve("/feed.xml", Reply(200, rss(entries), links))
    api = httpx.Client(base_url=child.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    created = api.post("/v1/feeds", json={"url": topic, "title": "pushed wire"})
    assert created.status_code == 201, created.text
    feed_id = created.json()["id"]

    def websub() -> dict[str, Any]:
        return dict(api.get(f"/v1/feeds/{feed_id}").json()["websub"] or {})

    first = wait_for(lambda: websub().get("state") == "active" and websub(), 20, "the hub to verify")
    assert (first["hub_url"], first["topic_url"]) == (hub.url, topic)
    assert "secret" not in str(api.get(f"/v1/feeds/{feed_id}").json())
    assert len(wait_for(lambda: hub.callbacks(topic), 5, "the hub to store the subscription")) == 1
    watcher.wait(feed_id, "Regulator fines company 2", 20)
    # A poll recorded while the hub holds the subscription puts the next one 600 s away.
    polled = api.post(f"/v1/feeds/{feed_id}/poll").json()["status"]
    polled_at = polled["last_polled_at"]
    assert datetime.fromisoformat(polled["next_poll_at"]) - datetime.fromisoformat(polled_at) >= timedelta(seconds=600)

    # Published: the item reaches the raw topic by push, long before the next poll (600 s away).
    entries.append(item(3))
    site.serve("/feed.xml", Reply(200, rss(entries), links))
    published = time.monotonic()
    assert hub.publish(topic) == 202
    latency = watcher.wait(feed_id, "Regulator fines company 3", 10) - published
    print(f"push to raw event: {latency * 1000:.0f} ms")
    status = api.get(f"/v1/feeds/{feed_id}").json()
    assert status["status"]["last_polled_at"] == polled_at  # no poll brought it
    assert status["websub"]["last_push_at"] is not None
    assert 'regalerts_websub_pushes_total{outcome="stored"} 1.0' in api.get("/metrics").text

    # Renewed before the lease ends: the hub verified again and granted a later end.
    wait_for(lambda: websub()["expires_at"] > first["expires_at"], 2 * LEASE_S, "the renewal")
    assert websub()["state"] == "active"

    # The hub goes away: the next renewal fails, the feed is polled again and the new item comes that way.
    hub.stop()
    entries.append(item(4))
    site.serve("/feed.xml", Reply(200, rss(entries), links))
    watcher.wait(feed_id, "Regulator fines company 4", 3 * LEASE_S)
    after = api.get(f"/v1/feeds/{feed_id}").json()
    assert after["websub"]["state"] == "failed"
    assert "could not be reached" in after["websub"]["last_error"]
    assert after["status"]["last_polled_at"] > polled_at
    assert 'regalerts_websub_pushes_total{outcome="stored"} 1.0' in api.get("/metrics").text
    titles = [title for feed, title in watcher.arrived if feed == feed_id]
    assert sorted(titles) == [f"Regulator fines company {n}" for n in (1, 2, 3, 4)]


def test_the_callback_confirms_only_what_was_asked_and_ignores_unsigned_content(
    ingest: tuple[Child, str, str], hub: FlaskWebSubHub, site: Site
) -> None:
    child, token, database = ingest
    topic = site.url("/feed.xml")
    links = {"Content-Type": "application/rss+xml", "Link": f'<{hub.url}>; rel="hub", <{topic}>; rel="self"'}
    site.serve("/feed.xml", Reply(200, rss([item(1)]), links))
    api = httpx.Client(base_url=child.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    feed_id = api.post("/v1/feeds", json={"url": topic}).json()["id"]
    wait_for(lambda: (api.get(f"/v1/feeds/{feed_id}").json()["websub"] or {}).get("state") == "active", 20, "hub")
    with make_session_factory(make_engine(database))() as session:
        callback_id = session.scalars(select(HubSubscription.id)).one()
    callback = httpx.Client(base_url=child.url, timeout=10)
    challenge = {"hub.mode": "subscribe", "hub.topic": topic, "hub.challenge": "c-1", "hub.lease_seconds": "60"}
    # Verified already, nothing requested since: a confirmation now is not ours, nor one for another topic.
    assert callback.get(f"/websub/{callback_id}", params=challenge).status_code == 404
    assert callback.get(f"/websub/{callback_id}", params={**challenge, "hub.topic": topic + "x"}).status_code == 404
    assert callback.get("/websub/unknown", params=challenge).status_code == 404
    assert callback.get(f"/websub/{callback_id}", params={**challenge, "hub.mode": "unsubscribe"}).status_code == 404
    # Content without the subscription's signature is acknowledged and ignored.
    forged = rss([item(1), item(9)])
    for signature in ({}, {"X-Hub-Signature": "sha256=" + "0" * 64}):
        answer = callback.post(
            f"/websub/{callback_id}", content=forged, headers={"Content-Type": "application/rss+xml", **signature}
        )
        assert answer.status_code == 202
    assert callback.post("/websub/unknown", content=forged).status_code == 410
    assert api.get(f"/v1/feeds/{feed_id}").json()["status"]["items_seen"] == 1
    assert 'regalerts_websub_pushes_total{outcome="bad_signature"} 2.0' in api.get("/metrics").text
