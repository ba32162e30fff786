"""The three services' APIs served for real (uvicorn on free ports, real stores), with credentials.

Outbound requests the APIs make on a client's behalf (feed polls, webhook and Slack tests) are held to
loopback literals by :class:`LoopbackOnly`, so fuzzed URLs never leave the machine nor ask DNS.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from services.classify import main as classify_main
from services.classify.settings import ClassifySettings
from services.ingest import main as ingest_main
from services.ingest.main import build_service
from services.ingest.scheduler import Scheduler
from services.notify import main as notify_main
from services.notify.api.app import create_app
from services.notify.store import create_tenant
from services.pipeline.broker import EmbeddedBroker
from services.pipeline.netguard import BlockedURL, IPAddress, NetworkPolicy, _host_and_port
from tests.ingest.conftest import Reply, Site, item, make_settings, rss
from tests.notify.conftest import ServedApp, notify_settings

ADMIN_TOKEN = "secret-token"


class LoopbackOnly(NetworkPolicy):
    """Refuses every destination but a loopback address literal, before any DNS lookup."""

    def _literal(self, host: str) -> IPAddress:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            raise BlockedURL(f"host {host!r} is not a loopback literal (tests stay on this machine)") from None
        if not address.is_loopback:
            raise BlockedURL(f"address {address} is not loopback (tests stay on this machine)")
        return address

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        return [self._literal(host)]

    async def checked_addresses(self, url: str) -> list[IPAddress]:
        return [self._literal(_host_and_port(url)[0])]


@dataclass
class Served:
    """One API on a local port and the Authorization header its /v1 routes need."""

    url: str
    headers: dict[str, str]
    test_data: str = ""  # schemathesis.toml lines: values worth sending (feed URLs that answer)


@pytest.fixture
def feed_site() -> Iterator[Site]:
    server = Site()
    yield server
    server.close()


def feed_urls_config(site: Site, count: int = 3) -> str:
    """Feeds on ``site`` offered to schemathesis as feed URLs half the time, so registrations succeed and
    the stateful phase reaches existing feeds (read, change, poll, delete)."""
    urls = [site.serve(f"/feed-{n}.xml", Reply(200, rss([item(n)]))) for n in range(count)]
    return f'[dictionaries.feeds]\nvalues = {json.dumps(urls)}\n[parameters]\n"body.url" = {{ dictionary = "feeds", probability = 0.5 }}\n'


@pytest.fixture
def ingest_api(
    sqlite_engine: Engine, broker: EmbeddedBroker, feed_site: Site, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Served]:
    monkeypatch.setattr(ingest_main, "NetworkPolicy", LoopbackOnly)
    settings = make_settings(
        str(sqlite_engine.url), scheduler_tick_s=3600, admin_token=ADMIN_TOKEN, kafka_bootstrap_servers=broker.bootstrap
    )
    service = build_service(settings)
    scheduler = service.workers[0]
    assert isinstance(scheduler, Scheduler)
    threading.Thread(target=scheduler.run, daemon=True).start()
    assert scheduler.wait_started()
    served = ServedApp(service.app)
    yield Served(served.url, {"Authorization": f"Bearer {ADMIN_TOKEN}"}, feed_urls_config(feed_site))
    served.close()
    scheduler.stop()


@pytest.fixture
def notify_api(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setattr(notify_main, "NetworkPolicy", LoopbackOnly)
    settings = notify_settings(str(sqlite_engine.url), notify_admin_token=ADMIN_TOKEN)
    context = notify_main.build_context(settings, sqlite_engine)
    with context.sessions.begin() as session:
        _tenant, key = create_tenant(session, name="fuzzed tenant")
    served = ServedApp(create_app(context, {}))
    # the tenants' routes with the admin token, every other one with the tenant's key
    admin = (
        f'[[operations]]\ninclude-path-regex = "^/v1/tenants"\nheaders = {{ Authorization = "Bearer {ADMIN_TOKEN}" }}\n'
    )
    yield Served(served.url, {"Authorization": f"Bearer {key}"}, admin)
    served.close()


@pytest.fixture
def classify_api_served(broker: EmbeddedBroker) -> Iterator[Served]:
    service = classify_main.build_service(ClassifySettings(kafka_bootstrap_servers=broker.bootstrap))
    served = ServedApp(service.app)
    yield Served(served.url, {})
    served.close()
    for close in service.on_shutdown:
        close()
