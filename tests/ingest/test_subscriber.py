"""The subscriber's requests to hubs: what it sends, and a hub on an address the SSRF guard refuses is never
contacted (the feed goes on being polled)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.ingest import subscriptions
from services.ingest.models import Feed
from services.ingest.settings import IngestSettings
from services.ingest.subscriber import Subscriber
from services.ingest.websub import HubLinks
from services.pipeline.db import utcnow
from services.pipeline.netguard import NetworkPolicy
from tests.ingest.conftest import add_feed, make_settings

TOPIC = "https://news.example.org/feed.xml"


class HubReceiver(ThreadingHTTPServer):
    """Answers 202 to every POST and keeps its form."""

    daemon_threads = True

    def __init__(self) -> None:
        self.forms: list[dict[str, list[str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                outer.forms.append(parse_qs(self.rfile.read(length).decode()))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hub"


@pytest.fixture
def receiver() -> Iterator[HubReceiver]:
    server = HubReceiver()
    yield server
    server.shutdown()
    server.server_close()


def subscribe_once(settings: IngestSettings, sessions: sessionmaker[Session], policy: NetworkPolicy) -> None:
    async def run() -> None:
        subscriber = Subscriber(settings=settings, sessions=sessions, policy=policy)
        await subscriber.tick()
        await subscriber.aclose()

    asyncio.run(run())


def wanted(sessions: sessionmaker[Session], hub_url: str) -> str:
    feed_id = add_feed(sessions, TOPIC)
    with sessions.begin() as session:
        feed = session.get(Feed, feed_id)
        assert feed is not None
        subscriptions.want(session, feed, HubLinks(hub_url, TOPIC), now=utcnow())
        assert feed.websub is not None
        return feed.websub.id


def test_the_request_names_topic_callback_secret_and_lease(
    receiver: HubReceiver, sessions: sessionmaker[Session], settings: IngestSettings
) -> None:
    callback_id = wanted(sessions, receiver.url)
    on = make_settings(settings.database_url, websub_callback_url="https://ingest.example.org/", websub_lease_s=3600)
    subscribe_once(on, sessions, NetworkPolicy(on.ssrf_allow_cidrs))
    [form] = receiver.forms
    with sessions() as session:
        stored = subscriptions.by_callback(session, callback_id)
        assert stored is not None and stored.requested_at is not None  # awaiting the hub's verification
    assert form == {
        "hub.mode": ["subscribe"],
        "hub.topic": [TOPIC],
        "hub.callback": [f"https://ingest.example.org/websub/{callback_id}"],
        "hub.secret": [stored.secret],
        "hub.lease_seconds": ["3600"],
    }


def test_a_hub_on_a_refused_address_is_never_contacted(
    receiver: HubReceiver, sessions: sessionmaker[Session], settings: IngestSettings
) -> None:
    callback_id = wanted(sessions, receiver.url)
    on = make_settings(settings.database_url, websub_callback_url="https://ingest.example.org")
    subscribe_once(on, sessions, NetworkPolicy())  # loopback not allowed
    assert receiver.forms == []
    with sessions() as session:
        stored = subscriptions.by_callback(session, callback_id)
        assert stored is not None
        assert stored.state == "failed" and "not public" in (stored.last_error or "")
