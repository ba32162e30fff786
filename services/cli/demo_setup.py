"""The demo's setup: a demo tenant, its subscriptions to the demo receiver, and the sample feeds registered.

Everything goes through the services' public HTTP APIs (feeds through ingest with the admin token,
subscriptions through notify with the tenant's API key), as a user would do it.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import httpx

from services.cli.demo import DEMO_MEMBER, DemoServer
from services.pipeline.private_files import write_private

# What the demo tenant watches: the seed story's company, any CAC action (to the demo page's webhook and by
# email to the demo member, caught by the demo's SMTP server), and one that must stay silent.
DEMO_SUBSCRIPTIONS: tuple[dict[str, Any], ...] = (
    {"name": "ByteDance, anywhere", "filters": {"companies": ["ByteDance"]}},
    {"name": "Any CAC action", "filters": {"regulators": ["CAC"]}},
    {
        "name": "Any CAC action, by email",
        "filters": {"regulators": ["CAC"]},
        "channel": {"type": "email", "addresses": [DEMO_MEMBER]},
    },
    {"name": "SEC fines", "filters": {"regulators": ["SEC"], "actions": ["fine"]}},
)
DEMO_FEEDS = ("wire", "regulator")


def create_demo_tenant(var: Path, database_url: str) -> str:
    """Create the demo tenant in the store; keep its API key in var/demo-tenant.json (0600); return the key."""
    from services.notify.store import create_tenant
    from services.pipeline.db import make_engine, make_session_factory

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            tenant, api_key = create_tenant(session, name=f"demo-{secrets.token_hex(3)}")
            tenant_id = tenant.id
    finally:
        engine.dispose()
    path = var / "demo-tenant.json"
    write_private(path, json.dumps({"tenant_id": tenant_id, "api_key": api_key}))
    return api_key


def demo_tenant_key(client: httpx.Client, notify_url: str, var: Path, database_url: str) -> str:
    """The demo tenant's API key: the one kept in ``var`` from an earlier run when it still works, after
    removing that run's demo subscriptions (their receiver is gone); else a new tenant's."""
    path = var / "demo-tenant.json"
    if path.exists():
        api_key = str(json.loads(path.read_text(encoding="utf-8"))["api_key"])
        headers = {"Authorization": f"Bearer {api_key}"}
        listed = client.get(f"{notify_url}/v1/subscriptions", headers=headers)
        if listed.status_code == 200:
            names = {spec["name"] for spec in DEMO_SUBSCRIPTIONS}
            for subscription in listed.json():
                if subscription["name"] in names:
                    client.delete(f"{notify_url}/v1/subscriptions/{subscription['id']}", headers=headers)
            return api_key
    return create_demo_tenant(var, database_url)


def _subscribe(client: httpx.Client, notify_url: str, api_key: str, server: DemoServer, spec: dict[str, Any]) -> None:
    """Subscribe as ``spec`` says; without a channel, to a signed webhook of the demo page (its secret kept)."""
    hook = secrets.token_urlsafe(9)
    webhook = {"type": "webhook", "url": f"{server.url}/hooks/{hook}", "format": "json"}
    body = {"channel": webhook, **spec}
    response = client.post(f"{notify_url}/v1/subscriptions", json=body, headers={"Authorization": f"Bearer {api_key}"})
    response.raise_for_status()
    if body["channel"] is webhook:
        with server.received.lock:
            server.received.secrets[hook] = response.json()["secret"]


def _register_feed(client: httpx.Client, ingest_url: str, admin_token: str, url: str, title: str) -> None:
    """Register the feed (or find it, registered by an earlier run) and poll it now."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    response = client.post(f"{ingest_url}/v1/feeds", json={"url": url, "title": title}, headers=headers)
    if response.status_code == 409:
        listed = client.get(f"{ingest_url}/v1/feeds", headers=headers)
        listed.raise_for_status()
        feed_id = next(feed["id"] for feed in listed.json() if feed["url"] == url)
    else:
        response.raise_for_status()
        feed_id = response.json()["id"]
    client.post(f"{ingest_url}/v1/feeds/{feed_id}/poll", headers=headers).raise_for_status()


def register_demo(
    *, server: DemoServer, ingest_url: str, notify_url: str, var: Path, admin_token: str, database_url: str
) -> str:
    """Set up (or, on a restart with the same ``var``, take over) the demo tenant, subscriptions and feeds;
    return the tenant's API key."""
    with httpx.Client(timeout=30) as client:
        api_key = demo_tenant_key(client, notify_url, var, database_url)
        for spec in DEMO_SUBSCRIPTIONS:
            _subscribe(client, notify_url, api_key, server, spec)
        for feed in DEMO_FEEDS:
            _register_feed(client, ingest_url, admin_token, f"{server.url}/feeds/{feed}.xml", f"Demo {feed}")
    print(
        f"  demo tenant API key in {var / 'demo-tenant.json'} (subscriptions: "
        + "; ".join(s["name"] for s in DEMO_SUBSCRIPTIONS)
        + ")"
    )
    return api_key
