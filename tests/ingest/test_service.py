"""``regalerts ingest`` as a real process: register a feed, poll it, items reach the broker once; SIGTERM stops it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.cli.supervisor import Child
from services.pipeline.broker import EmbeddedBroker
from tests.ingest.conftest import Reply, Site, ingest_process, item, rss
from tests.ingest.kafka_reader import read_raw


@pytest.fixture
def ingest(broker: EmbeddedBroker, tmp_path: Path) -> Iterator[tuple[Child, str]]:
    with ingest_process(broker.bootstrap, tmp_path) as (child, token, _database):
        yield child, token


def test_registered_feed_flows_to_the_broker_once(
    ingest: tuple[Child, str], site: Site, broker: EmbeddedBroker
) -> None:
    child, token = ingest
    headers = {"Authorization": f"Bearer {token}"}
    url = site.serve("/feed.xml", Reply(200, rss([item(1), item(2)])))
    with httpx.Client(base_url=child.url, headers=headers, timeout=30) as client:
        created = client.post("/v1/feeds", json={"url": url, "title": "wire"})
        assert created.status_code == 201, created.text
        feed_id = created.json()["id"]
        assert client.post(f"/v1/feeds/{feed_id}/poll").status_code == 200
        assert client.post(f"/v1/feeds/{feed_id}/poll").status_code == 200  # unchanged: nothing more
        status = client.get(f"/v1/feeds/{feed_id}").json()["status"]
        assert (status["items_seen"], status["state"], status["consecutive_failures"]) == (2, "ok", 0)
        metrics = client.get("/metrics").text
    assert len(site.hits("/feed.xml")) >= 2
    events = read_raw(broker.bootstrap, feed_id=feed_id, expected=2, settle=2.0)
    assert sorted(raw.title for _e, raw, _k in events) == ["Regulator fines company 1", "Regulator fines company 2"]
    assert 'regalerts_feed_polls_total{outcome="ok",reason="none"}' in metrics
