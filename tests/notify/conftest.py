"""Notify test helpers: item factory, a webhook receiver that verifies signatures, an SMTP server, the API."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy import Engine, select
from standardwebhooks import Webhook

import services.notify.models  # noqa: F401  (registers the notify tables on Base)
from services.notify.api.app import create_app
from services.notify.api.deps import NotifyContext
from services.notify.intake import Intake
from services.notify.main import build_context
from services.notify.models import Delivery
from services.notify.schemas import SubscriptionCreate
from services.notify.settings import NotifySettings
from services.notify.store import create_subscription, create_tenant
from services.notify.worker import DeliveryWorker
from services.pipeline.broker import free_port
from services.pipeline.events import (
    ActionTag,
    ActionType,
    ClassifiedItem,
    CompanyTag,
    DeliveryAttempt,
    RawItem,
    RegulatorTag,
    Tags,
)


def make_item(
    item_id: str = "feed-1:guid-1",
    *,
    title: str = "SEC fines Acme Corp $5m over disclosures",
    summary: str = "The Securities and Exchange Commission fined Acme Corp.",
    companies: list[tuple[str, str, float]] | None = None,
    regulators: list[tuple[str, str, str | None, str, float]] | None = None,
    actions: list[tuple[str, float]] | None = None,
    jurisdictions: list[str] | None = None,
    language: str = "en",
    revision: int = 1,
    link: str | None = "https://www.sec.gov/news/1",
) -> ClassifiedItem:
    """A classified item; tag tuples are (id, name, confidence), (id, name, acronym, jurisdiction, conf)..."""
    now = datetime.now(UTC)
    companies = [("acme", "Acme Corp", 0.9)] if companies is None else companies
    regulators = (
        [("sec", "Securities and Exchange Commission", "SEC", "US", 0.95)] if regulators is None else regulators
    )
    actions = [("fine", 0.9)] if actions is None else actions
    tags = Tags(
        language=language,
        companies=[CompanyTag(id=i, name=n, confidence=c) for i, n, c in companies],
        regulators=[
            RegulatorTag(id=i, name=n, acronym=a, jurisdiction=j, confidence=c) for i, n, a, j, c in regulators
        ],
        actions=[ActionTag(type=ActionType(t), confidence=c, primary=True) for t, c in actions],
        jurisdictions=["US"] if jurisdictions is None else jurisdictions,
        classifier_version="test",
    )
    raw = RawItem(
        item_id=item_id,
        feed_id="feed-1",
        feed_url="https://www.sec.gov/rss",
        is_update=revision > 1,
        revision=revision,
        title=title,
        summary=summary,
        link=link,
        published_at=now,
        first_seen_at=now,
    )
    return ClassifiedItem(item=raw, tags=tags, classified_at=now)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll until ``condition`` holds; fail naming ``what`` after ``timeout`` (a bound, not a measurement)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Received:
    """One request the receiver accepted (after verifying its signature)."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A local HTTP endpoint. ``plan(path)`` returns (status, headers) per request; JSON webhooks on paths
    with a registered secret are verified with the independent ``standardwebhooks`` package."""

    server: ThreadingHTTPServer
    secrets: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    answers: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    hold: dict[str, threading.Event] = field(default_factory=dict)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str, *statuses: int | tuple[int, dict[str, str]]) -> None:
        """Answer the next requests on ``path`` with these statuses, then 200."""
        self.answers[path] = [s if isinstance(s, tuple) else (s, {}) for s in statuses]

    def on(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        if path in self.hold:
            self.hold[path].wait(30)
        with self.lock:
            queue = self.answers.get(path)
            status, extra = queue.pop(0) if queue else (200, {})
        secret = self.secrets.get(path)
        if secret is not None:
            try:
                Webhook(secret).verify(body, headers)
            except Exception:
                with self.lock:
                    self.refused += 1
                return 401, {}
        if 200 <= status < 300:
            with self.lock:
                self.received.append(Received(path, headers, body))
        return status, extra


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A threaded HTTP receiver on a free local port."""
    holder: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, extra = holder[0].handle(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder.append(Receiver(server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder[0]
    for event in holder[0].hold.values():
        event.set()
    server.shutdown()
    server.server_close()


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Mailbox]]:
    """A real SMTP server (aiosmtpd) on a free port; yields (port, mailbox)."""
    mailbox = _Mailbox()
    port = free_port()  # aiosmtpd probes its own port after starting, so port 0 will not do
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


def notify_settings(database_url: str, **overrides: Any) -> NotifySettings:
    """Settings for tests: local addresses allowed, short retries and polls."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "ssrf_allow_cidrs": "127.0.0.0/8",
        "retry_schedule_s": [0.05, 0.05, 0.05],
        "delivery_poll_interval_s": 0.05,
        "delivery_lease_s": 5.0,
        "delivery_timeout_s": 2.0,
        "smtp_timeout_s": 2.0,
        "breaker_cooldown_s": 0.2,
        "slack_min_interval_s": 0.2,
        "smtp_tls": "none",
        "unsubscribe_secret": "test-unsubscribe-key",
        "public_base_url": "http://testserver",
        "shutdown_timeout_s": 5.0,
    }
    values.update(overrides)
    return NotifySettings(**values)


class ServedApp:
    """A FastAPI app served by uvicorn on a free local port, in a thread."""

    def __init__(self, app: FastAPI) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off"))
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_for(lambda: self.server.started, "the API server to start")
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@dataclass
class Api:
    """The notify API served locally, with an HTTP client and two tenants' keys."""

    client: httpx.Client
    settings: NotifySettings
    engine: Engine
    keys: dict[str, str]
    tenant_ids: dict[str, str]

    def auth(self, tenant: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[tenant]}"}


@pytest.fixture
def api(sqlite_engine: Engine) -> Iterator[Api]:
    """The API on a SQLite store with tenants "a" and "b"."""
    with serve_api(sqlite_engine) as served:
        yield served


@contextmanager
def serve_api(sqlite_engine: Engine, **overrides: Any) -> Iterator[Api]:
    """The API on a store, with tenants "a" and "b" and test settings changed by ``overrides``."""
    settings = notify_settings(str(sqlite_engine.url), **overrides)
    context = build_context(settings, sqlite_engine)
    keys, ids = {}, {}
    with context.sessions.begin() as session:
        for name in ("a", "b"):
            # names are unique: a second API on the same store gets tenants of its own
            tenant, key = create_tenant(session, name=f"tenant {name} {uuid.uuid4().hex[:8]}")
            keys[name], ids[name] = key, tenant.id
    served = ServedApp(create_app(context, {}))
    try:
        with httpx.Client(base_url=served.url, timeout=30) as client:
            yield Api(client, settings, sqlite_engine, keys, ids)
    finally:
        served.close()


def run_async(coroutine: Any) -> Any:
    """Run a coroutine to completion (tests are synchronous)."""
    return asyncio.run(coroutine)


@dataclass
class Running:
    """Intake and a delivery worker (in a thread) on one store: the notify core without Kafka."""

    settings: NotifySettings
    context: NotifyContext
    intake: Intake
    worker: DeliveryWorker
    thread: threading.Thread | None = None
    published: list[DeliveryAttempt] = field(default_factory=list)
    stage_headers: dict[str, dict[str, str]] = field(default_factory=dict)  # by delivery id

    def start(self) -> Running:
        self.thread = threading.Thread(target=self.worker.run, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.worker.stop()
        if self.thread is not None and self.thread.is_alive():
            self.thread.join(20)
            assert not self.thread.is_alive(), "the delivery worker did not stop"

    def tenant(self, name: str | None = None) -> str:
        """A new tenant's id (tenant names are unique: a random one by default)."""
        with self.context.sessions.begin() as session:
            return create_tenant(session, name=name or f"tenant-{uuid.uuid4().hex[:8]}")[0].id

    def subscribe(self, tenant_id: str, channel: dict[str, Any], **fields: Any) -> tuple[str, str | None]:
        """Create a subscription through the store; (id, secret)."""
        data = SubscriptionCreate.model_validate({"name": "test", "channel": channel, **fields})
        with self.context.sessions.begin() as session:
            subscription, secret = create_subscription(session, tenant_id=tenant_id, data=data)
            return subscription.id, secret

    def deliveries(self) -> list[Delivery]:
        with self.context.sessions() as session:
            return list(session.scalars(select(Delivery)))


def start_notify(engine: Engine, *, start: bool = True, **overrides: Any) -> Running:
    """The notify core on ``engine`` with test settings (attempts recorded in ``published``)."""
    settings = notify_settings(str(engine.url.render_as_string(hide_password=False)), **overrides)
    context = build_context(settings, engine)
    published: list[DeliveryAttempt] = []
    stage_headers: dict[str, dict[str, str]] = {}

    def publish(attempt: DeliveryAttempt, _traceparent: str | None, stages: dict[str, str]) -> None:
        published.append(attempt)
        stage_headers[attempt.delivery_id] = stages

    worker = DeliveryWorker(
        settings=settings,
        session_factory=context.sessions,
        make_dispatcher=context.make_dispatcher,
        publish=publish,
    )
    intake = Intake(session_factory=context.sessions, on_new=worker.wake)
    running = Running(settings, context, intake, worker, published=published, stage_headers=stage_headers)
    return running.start() if start else running


@pytest.fixture
def notify_on(request: pytest.FixtureRequest) -> Iterator[Callable[..., Running]]:
    """A factory of started notify cores, all stopped after the test."""
    started: list[Running] = []

    def factory(engine: Engine, *, start: bool = True, **overrides: Any) -> Running:
        running = start_notify(engine, start=start, **overrides)
        started.append(running)
        return running

    yield factory
    for running in started:
        running.stop()
