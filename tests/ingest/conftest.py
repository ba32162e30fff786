"""Fixtures for the ingest tests: a scriptable local web site, settings shrunk for tests, a poller."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.cli.supervisor import Child
from services.ingest.fetcher import Fetcher
from services.ingest.limits import HostLimiter
from services.ingest.models import Feed
from services.ingest.poller import Poller
from services.ingest.recorder import PollOutcome
from services.ingest.settings import IngestSettings
from services.ingest.store import create_feed
from services.pipeline.broker import free_port
from services.pipeline.db import Base, make_engine, make_session_factory
from services.pipeline.netguard import NetworkPolicy


@dataclass
class Reply:
    """What the site answers: status, headers and a body (bytes, or an iterable of chunks for streaming)."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


Route = Callable[[BaseHTTPRequestHandler], Reply]


class Site(ThreadingHTTPServer):
    """A local web site whose routes tests set; it records every request's path and headers."""

    daemon_threads = True

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with outer.lock:
                    outer.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = outer.routes.get(self.path)
                reply = route(self) if route else Reply(404, b"not found")
                outer.answer(self, reply)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up early (caps, timeouts) are expected here: no traceback on stderr."""

    @staticmethod
    def answer(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay_s:
            time.sleep(reply.delay_s)
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        try:
            if isinstance(reply.body, bytes):
                handler.send_header("Content-Length", str(len(reply.body)))
                handler.end_headers()
                handler.wfile.write(reply.body)
                return
            handler.send_header("Connection", "close")
            handler.end_headers()
            for chunk in reply.body:
                handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def serve(self, path: str, reply: Reply | Route) -> str:
        """Answer ``path`` with a fixed reply or a function of the request; return the path's URL."""
        self.routes[path] = reply if callable(reply) else (lambda _h, r=reply: r)
        return self.url(path)

    def hits(self, path: str) -> list[dict[str, str]]:
        with self.lock:
            return [headers for p, headers in self.requests if p == path]

    def close(self) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    yield server
    server.close()


def rss(items: list[dict[str, Any]], *, channel_extra: str = "", language: str | None = "en") -> bytes:
    """An RSS 2.0 document; each item has title and optional guid, link, summary, hours_ago (None: no date)."""
    now = datetime.now(UTC)
    parts = []
    for item in items:
        xml = f"<title>{escape(item['title'])}</title>"
        if item.get("guid") is not None:
            xml += f'<guid isPermaLink="false">{escape(item["guid"])}</guid>'
        if item.get("link") is not None:
            xml += f"<link>{escape(item['link'])}</link>"
        xml += f"<description>{escape(item.get('summary', ''))}</description>"
        hours = item.get("hours_ago", 1)
        if hours is not None:
            xml += f"<pubDate>{format_datetime(now - timedelta(hours=float(hours)))}</pubDate>"
        parts.append(f"<item>{xml}</item>")
    lang = f"<language>{language}</language>" if language else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test wire</title>'
        f"<link>https://news.example.org/</link><description>t</description>{lang}{channel_extra}"
        f"{''.join(parts)}</channel></rss>"
    ).encode()


def item(n: int, **extra: Any) -> dict[str, Any]:
    """A typical item number ``n``."""
    base = {
        "guid": f"g-{n}",
        "title": f"Regulator fines company {n}",
        "link": f"https://news.example.org/{n}",
        "summary": f"The regulator fined company {n} for breaching market rules.",
    }
    return {**base, **extra}


def make_settings(database_url: str, **overrides: Any) -> IngestSettings:
    """Settings with loopback allowed and every timer shrunk for tests."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "ssrf_allow_cidrs": "127.0.0.0/8",
        "admin_token": "secret-token",
        "poll_interval_floor_s": 1.0,
        "poll_interval_s": 60.0,
        "poll_jitter": 0.0,
        "scheduler_tick_s": 0.1,
        "connect_timeout_s": 2.0,
        "read_timeout_s": 1.0,
        "total_timeout_s": 4.0,
        "max_body_bytes": 1024 * 1024,
        "host_concurrency": 8,
        "host_min_interval_s": 0.0,
        "backoff_base_s": 10.0,
        "failing_threshold": 3,
        "publish_idle_s": 0.1,
        "parse_processes": 0,
        "publish_retry_s": 0.2,
        "publish_timeout_s": 5.0,
    }
    values.update(overrides)
    return IngestSettings(**values)


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def settings(engine: Engine) -> IngestSettings:
    return make_settings(str(engine.url.render_as_string(hide_password=False)))


def add_feed(sessions: sessionmaker[Session], url: str, **fields: Any) -> str:
    """Register a feed straight in the store; return its id."""
    with sessions.begin() as session:
        return create_feed(session, url=url, **fields).id


def feed(sessions: sessionmaker[Session], feed_id: str) -> Feed:
    with sessions() as session:
        found = session.get(Feed, feed_id)
        assert found is not None
        return found


class PollRunner:
    """Polls feeds in-process with the real fetcher, limiter and store (no scheduler thread)."""

    def __init__(self, settings: IngestSettings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.stored = 0

    def _on_stored(self) -> None:
        self.stored += 1

    def poll(self, *feed_ids: str, concurrency: int = 16) -> list[PollOutcome]:
        async def main() -> list[PollOutcome]:
            fetcher = Fetcher(self.settings, NetworkPolicy(self.settings.ssrf_allow_cidrs))
            limiter = HostLimiter(total=concurrency, per_host=concurrency, min_interval_s=0)
            poller = Poller(
                settings=self.settings,
                sessions=self.sessions,
                fetcher=fetcher,
                limiter=limiter,
                on_stored=self._on_stored,
            )
            try:
                snapshots = [await poller.snapshot(f) for f in feed_ids]
                return list(await asyncio.gather(*(poller.poll(s) for s in snapshots if s is not None)))
            finally:
                await fetcher.aclose()
                poller.close()

        return asyncio.run(main())


@pytest.fixture
def runner(settings: IngestSettings, sessions: sessionmaker[Session]) -> PollRunner:
    return PollRunner(settings, sessions)


@contextmanager
def ingest_process(bootstrap: str, tmp_path: Path, **settings: str) -> Iterator[tuple[Child, str, str]]:
    """``regalerts ingest`` as a process on a fresh SQLite store, loopback allowed, more ``REGALERTS_*``
    settings given by name; yields it, its admin token and its database URL, and checks it stopped cleanly."""
    database = f"sqlite:///{tmp_path / 'ingest.db'}"
    engine = make_engine(database)
    Base.metadata.create_all(engine)
    engine.dispose()
    token, port = uuid.uuid4().hex, free_port()
    env = {
        "REGALERTS_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "REGALERTS_DATABASE_URL": database,
        "REGALERTS_SSRF_ALLOW_CIDRS": "127.0.0.0/8",
        "REGALERTS_ADMIN_TOKEN": token,
        "REGALERTS_LOG_LEVEL": "WARNING",
        "REGALERTS_HTTP_PORT": str(port),
    }
    env.update({f"REGALERTS_{name.upper()}": value.format(port=port) for name, value in settings.items()})
    child = Child("ingest", port, env, tmp_path / "ingest.log")
    child.start()
    try:
        child.wait_ready(timeout=60)
        yield child, token, database
    finally:
        child.stop(timeout=20)
    assert child.process is not None and child.process.returncode == 0, (tmp_path / "ingest.log").read_text()
