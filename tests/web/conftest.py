"""Web test helpers: classified items with evidence, a web store, the app, a signed-in client."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.classify.api import make_router
from services.classify.classifier import Classifier
from services.notify.api.app import create_app as notify_app
from services.notify.models import Tenant as NotifyTenant
from services.notify.store import create_tenant
from services.pipeline.api import service_app
from services.pipeline.db import Base, make_engine, make_session_factory, utcnow
from services.pipeline.events import (
    ActionTag,
    ActionType,
    AmountTag,
    ClassifiedItem,
    CompanyTag,
    Evidence,
    RawItem,
    RegulatorTag,
    Tags,
)
from services.web.accounts import add_member, register_tenant
from services.web.app import create_app
from services.web.auth import create_link
from services.web.context import WebContext, make_templates
from services.web.models import Member, WebTenant
from services.web.search import ensure_index
from services.web.settings import WebSettings
from tests.classify.conftest import FIXTURE_KB
from tests.ingest.conftest import Site
from tests.ingest.test_api import TOKEN, client_for
from tests.notify.conftest import (  # the webhook receiver and SMTP server fixtures are shared
    Api,
    Running,
    ServedApp,
    receiver,  # noqa: F401
    serve_api,
    smtp,  # noqa: F401
    start_notify,
)


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token of a page's forms."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def evidence(title: str, summary: str, surface: str) -> list[Evidence]:
    """Where ``surface`` occurs in the title (else the summary)."""
    for name, text in (("title", title), ("summary", summary)):
        start = text.find(surface)
        if start >= 0:
            return [Evidence(text=surface, field=name, start=start, end=start + len(surface))]  # type: ignore[typeddict-item]
    return []


def classified(
    item_id: str,
    title: str,
    summary: str = "",
    *,
    language: str = "en",
    regulators: Sequence[tuple[str, str, str, str]] = (),  # (id, acronym, jurisdiction, surface)
    actions: Sequence[tuple[str, bool, str]] = (),  # (type, primary, surface)
    companies: Sequence[tuple[str, str, str]] = (),  # (id, name, surface)
    amount: tuple[str, str, str] | None = None,  # (value, currency, surface)
    published_at: datetime | None = None,
    revision: int = 1,
) -> ClassifiedItem:
    """A classified item whose tags carry evidence found in its text."""
    when = published_at or datetime.now(UTC) - timedelta(hours=1)
    tags = Tags(
        language=language,
        regulators=[
            RegulatorTag(id=i, name=a, acronym=a, jurisdiction=j, confidence=0.95, evidence=evidence(title, summary, s))
            for i, a, j, s in regulators
        ],
        actions=[
            ActionTag(type=ActionType(t), primary=p, confidence=0.9, evidence=evidence(title, summary, s))
            for t, p, s in actions
        ],
        companies=[
            CompanyTag(id=i, name=n, confidence=0.85, evidence=evidence(title, summary, s)) for i, n, s in companies
        ],
        jurisdictions=sorted({j for _, _, j, _ in regulators}),
        amount=AmountTag(value=amount[0], currency=amount[1], evidence=evidence(title, summary, amount[2])[0])  # type: ignore[arg-type]
        if amount
        else None,
        classifier_version="test",
    )
    raw = RawItem(
        item_id=item_id,
        feed_id="feed-1",
        feed_url="https://news.example.org/feed.xml",
        title=title,
        summary=summary,
        link=f"https://news.example.org/{item_id}",
        published_at=when,
        first_seen_at=when,
        revision=revision,
    )
    return ClassifiedItem(item=raw, tags=tags, classified_at=when)


FRENCH = classified(
    "fr-1",
    "La CNIL inflige une amende de 50 millions d'euros à Google",
    "La Commission nationale de l'informatique et des libertés sanctionne Google.",
    language="fr",
    regulators=[("cnil", "CNIL", "FR", "CNIL")],
    actions=[("fine", True, "amende")],
    companies=[("google", "Google", "Google")],
)
CHINESE = classified(
    "zh-1",
    "国家市场监督管理总局对腾讯处以罚款182.28亿元",
    "市场监管总局依法对腾讯控股有限公司作出行政处罚。",
    language="zh",
    regulators=[("samr", "SAMR", "CN", "国家市场监督管理总局")],
    actions=[("fine", True, "罚款")],
    companies=[("tencent", "Tencent", "腾讯")],
    amount=("18228000000", "CNY", "182.28亿元"),
)
ENGLISH = classified(
    "en-1",
    "SEC fines Acme Corp $5m over disclosures",
    "The Securities and Exchange Commission fined Acme Corp.",
    regulators=[("sec", "SEC", "US", "SEC")],
    actions=[("fine", True, "fines")],
    companies=[("acme", "Acme Corp", "Acme Corp")],
)


@pytest.fixture
def web_engine(database_url: str) -> Iterator[Engine]:
    """A web store (SQLite and PostgreSQL) with its tables and full-text index."""
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    ensure_index(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_web_engine(sqlite_url: str) -> Iterator[Engine]:
    """A SQLite web store, for the page tests."""
    engine = make_engine(sqlite_url)
    Base.metadata.create_all(engine)
    ensure_index(engine)
    yield engine
    engine.dispose()


@dataclass
class WebApp:
    """An app on a store, with two tenants (acme, globex) and one member each."""

    sessions: sessionmaker[Session]
    settings: WebSettings
    context: WebContext
    alice: Member
    bob: Member
    url: str

    def client(self, *, https: bool = False) -> httpx.Client:
        """A client of the served app, not following redirects; ``https``: as behind a TLS proxy."""
        headers = {"X-Forwarded-Proto": "https"} if https else {}
        return httpx.Client(base_url=self.url, headers=headers, follow_redirects=False, timeout=30)

    def link(self, member: Member, *, next_path: str = "/", ttl_s: float = 900.0, now: datetime | None = None) -> str:
        """A sign-in link token for ``member``."""
        with self.sessions.begin() as session:
            return create_link(session, member=member, now=now or utcnow(), ttl_s=ttl_s, next_path=next_path)

    def signed_in(self, member: Member, **kwargs: Any) -> httpx.Client:
        """A client signed in as ``member``."""
        client = self.client(**kwargs)
        response = client.post(f"/signin/{self.link(member)}")
        assert response.status_code == 303, response.text
        return client

    def api_key(self, member: Member) -> str:
        """The notify API key the app acts with for ``member``'s tenant."""
        with self.sessions() as session:
            tenant = session.get(WebTenant, member.tenant_id)
            assert tenant is not None
            return tenant.api_key

    def record(self, *items: ClassifiedItem) -> None:
        """Put items in the read model."""
        from services.web.readmodel import record_item

        with self.sessions.begin() as session:
            for item in items:
                record_item(session, item)


@contextmanager
def served_web_app(
    engine: Engine, *, keys: dict[str, tuple[str, str]] | None = None, **settings: Any
) -> Iterator[WebApp]:
    """The app on ``engine``, served locally, with tenants acme (alice) and globex (bob); ``keys``: their
    notify (tenant id, API key) when a real notify serves them."""
    sessions = make_session_factory(engine)
    web_settings = WebSettings(**settings)
    keys = keys or {"acme": ("tn_acme", "rak_acme"), "globex": ("tn_globex", "rak_globex")}
    with sessions.begin() as session:
        acme = register_tenant(session, tenant_id=keys["acme"][0], name="acme", api_key=keys["acme"][1])
        globex = register_tenant(session, tenant_id=keys["globex"][0], name="globex", api_key=keys["globex"][1])
        alice = add_member(session, email="alice@acme.example", tenant=acme)
        bob = add_member(session, email="bob@globex.example", tenant=globex)
    context = WebContext(web_settings, sessions, make_templates())
    served = ServedApp(create_app(context, {}))
    try:
        yield WebApp(sessions, web_settings, context, alice, bob, served.url)
    finally:
        served.close()


@pytest.fixture
def web(sqlite_web_engine: Engine) -> Iterator[WebApp]:
    """The app on SQLite with two tenants, served locally."""
    with served_web_app(sqlite_web_engine) as app:
        yield app


@pytest.fixture(scope="session")
def classify_url() -> Iterator[str]:
    """classify's API (entity look-up) on the fixture knowledge base, served locally."""
    app = service_app(title="classify test")
    app.include_router(make_router(Classifier.load(FIXTURE_KB)))
    served = ServedApp(app)
    yield served.url
    served.close()


@dataclass
class Stack:
    """notify (API, intake, worker) and the web app on one store."""

    web: WebApp
    notify: Running


@pytest.fixture
def stack(sqlite_web_engine: Engine, classify_url: str) -> Iterator[Stack]:
    """notify's API, intake and worker, classify's look-up and the web app, with three items recorded."""
    running = start_notify(sqlite_web_engine)
    with running.context.sessions.begin() as session:
        keys = {}
        for name in ("acme", "globex"):
            tenant, key = create_tenant(session, name=name)
            keys[name] = (tenant.id, key)
    served = ServedApp(notify_app(running.context, {}))
    try:
        with served_web_app(
            sqlite_web_engine, keys=keys, web_notify_url=served.url, web_classify_url=classify_url
        ) as web:
            web.record(FRENCH, CHINESE, ENGLISH)
            yield Stack(web, running)
    finally:
        served.close()
        running.stop()


@dataclass
class FeedsStack:
    """ingest's API (scheduler running, long tick) and the web app given its URL and admin token, alice an
    operator; ``site`` serves the feeds."""

    web: WebApp
    ingest_url: str
    site: Site


@pytest.fixture
def feeds_stack(sqlite_web_engine: Engine) -> Iterator[FeedsStack]:
    """The operators' feed pages on a real ingest API."""
    site = Site()
    with contextmanager(client_for)(sqlite_web_engine, scheduler_tick_s=3600) as ingest:
        url = str(ingest.base_url).rstrip("/")
        with served_web_app(sqlite_web_engine, web_ingest_url=url, web_ingest_admin_token=TOKEN) as web:
            with web.sessions.begin() as session:
                alice = session.get(Member, web.alice.id)
                assert alice is not None
                alice.operator = True
            try:
                yield FeedsStack(web, url, site)
            finally:
                site.close()


@dataclass
class TenantsStack:
    """notify's API with its admin token and the web app given it, alice an operator; ``mailbox`` receives the
    sign-in links."""

    web: WebApp
    notify: Api
    mailbox: Any


@pytest.fixture
def tenants_stack(sqlite_web_engine: Engine, smtp: tuple[int, Any]) -> Iterator[TenantsStack]:  # noqa: F811
    """The operators' tenant page on a real notify API, sending sign-in links through the test SMTP server."""
    port, mailbox = smtp
    with serve_api(sqlite_web_engine, notify_admin_token=TOKEN) as notify:
        keys = {web: (notify.tenant_ids[name], notify.keys[name]) for web, name in (("acme", "a"), ("globex", "b"))}
        with make_session_factory(sqlite_web_engine).begin() as session:  # one name for each tenant in both services
            for web_name, (tenant_id, _key) in keys.items():
                session.get_one(NotifyTenant, tenant_id).name = web_name
        settings = {"web_notify_url": str(notify.client.base_url).rstrip("/"), "web_notify_admin_token": TOKEN}
        mail = {"web_smtp_host": "127.0.0.1", "web_smtp_port": port}
        with served_web_app(sqlite_web_engine, keys=keys, **settings, **mail) as web:
            web.settings.web_public_url = web.url
            with web.sessions.begin() as session:
                alice = session.get(Member, web.alice.id)
                assert alice is not None
                alice.operator = True
            yield TenantsStack(web, notify, mailbox)
