"""The whole product as subprocesses: embedded broker, ingest, classify and notify on a SQLite store."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from services.cli.supervisor import Child
from services.pipeline.broker import EmbeddedBroker, create_topics, free_port
from tests.conftest import run_regalerts
from tests.e2e.peers import FeedServer, WebhookReceiver

SERVICES = ("ingest", "classify", "notify")


@dataclass
class Pipeline:
    """The running services and how to talk to them."""

    children: dict[str, Child]
    env: dict[str, str]
    admin_token: str

    def url(self, service: str) -> str:
        return self.children[service].url

    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def regalerts(self, *args: str) -> str:
        """Run a regalerts CLI command with the pipeline's settings; return its standard output."""
        result = run_regalerts(*args, env=self.env, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout


@pytest.fixture
def broker() -> Iterator[EmbeddedBroker]:
    """A broker of each test's own: a fresh consumer group reads its topics from the start, so on a broker
    shared with the rest of the suite it would first replay every earlier test's items."""
    with EmbeddedBroker() as running:
        create_topics(running.bootstrap)
        yield running


@pytest.fixture
def pipeline(broker: EmbeddedBroker, tmp_path: Path) -> Iterator[Pipeline]:
    """Start the three services on free ports against a fresh database, with their own consumer groups."""
    yield from _start(broker, tmp_path, {})


@pytest.fixture
def replicated_pipeline(broker: EmbeddedBroker, tmp_path: Path) -> Iterator[Pipeline]:
    """The same with two classify and two notify replicas (``classify#2``, ``notify#2``) in their groups."""
    yield from _start(broker, tmp_path, {"classify": 2, "notify": 2})


@pytest.fixture
def replicated_stream_pipeline(broker: EmbeddedBroker, tmp_path: Path) -> Iterator[Pipeline]:
    """Two replicas of ingest, classify and notify, ingest polling every second and a dead replica's feeds
    free after 3 s."""
    fast = {"REGALERTS_POLL_INTERVAL_S": "1", "REGALERTS_POLL_INTERVAL_FLOOR_S": "1", "REGALERTS_LEASE_S": "3"}
    yield from _start(broker, tmp_path, {"ingest": 2, "classify": 2, "notify": 2}, fast)


def _start(
    broker: EmbeddedBroker, tmp_path: Path, replicas: dict[str, int], extra: dict[str, str] | None = None
) -> Iterator[Pipeline]:
    suffix = uuid.uuid4().hex[:8]
    admin_token = uuid.uuid4().hex
    env = {
        "REGALERTS_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "REGALERTS_DATABASE_URL": f"sqlite:///{tmp_path / 'regalerts.db'}",
        "REGALERTS_SSRF_ALLOW_CIDRS": "127.0.0.0/8",
        "REGALERTS_ADMIN_TOKEN": admin_token,
        "REGALERTS_KAFKA_SESSION_TIMEOUT_MS": "3000",
        "REGALERTS_KAFKA_HEARTBEAT_INTERVAL_MS": "1000",
        "REGALERTS_CLASSIFY_CONSUMER_GROUP": f"classify-{suffix}",
        "REGALERTS_NOTIFY_CONSUMER_GROUP": f"notify-{suffix}",
        "REGALERTS_STORIES_CONSUMER_GROUP": f"stories-{suffix}",
        "REGALERTS_LOG_LEVEL": "INFO",
        **(extra or {}),
    }
    create_topics(broker.bootstrap)
    upgraded = run_regalerts("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    names = [name + (f"#{n}" if n > 1 else "") for name in SERVICES for n in range(1, replicas.get(name, 1) + 1)]
    children = {  # ingest replicas lease feeds under distinct replica ids
        name: Child(name.split("#")[0], free_port(), {**env, "REGALERTS_REPLICA_ID": name}, tmp_path / f"{name}.log")
        for name in names
    }
    for child in children.values():
        child.env["REGALERTS_HTTP_PORT"] = str(child.port)
        child.start()
    try:
        for child in children.values():
            child.wait_ready(timeout=90)
        yield Pipeline(children, env, admin_token)
    finally:
        for child in children.values():
            child.stop(timeout=20)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    yield server
    server.close()


def register_feed(pipeline: Pipeline, url: str) -> str:
    """Register a feed through the ingest API; return its id."""
    response = httpx.post(
        f"{pipeline.url('ingest')}/v1/feeds",
        json={"url": url, "title": "test wire"},
        headers=pipeline.admin(),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def poll_now(pipeline: Pipeline, feed_id: str) -> None:
    """Ask ingest to poll a feed at once."""
    response = httpx.post(f"{pipeline.url('ingest')}/v1/feeds/{feed_id}/poll", headers=pipeline.admin(), timeout=30)
    assert response.status_code in (200, 202), response.text


def subscribe(pipeline: Pipeline, receiver: WebhookReceiver, filters: dict[str, object]) -> str:
    """Create a tenant and a webhook subscription delivering to ``receiver``; return the subscription id."""
    api_key = create_tenant(pipeline)
    response = httpx.post(
        f"{pipeline.url('notify')}/v1/subscriptions",
        json={
            "name": "e2e",
            "filters": filters,
            "channel": {"type": "webhook", "url": receiver.hook_url, "format": "json"},
        },
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    receiver.secret = response.json()["secret"]
    return str(response.json()["id"])


def create_tenant(pipeline: Pipeline) -> str:
    """Create a tenant with the CLI; return its API key."""
    output = pipeline.regalerts("tenants", "create", f"e2e-{uuid.uuid4().hex[:6]}", "--json")
    import json

    return str(json.loads(output)["api_key"])


__all__ = ["FeedServer", "Pipeline", "poll_now", "register_feed", "subscribe"]
