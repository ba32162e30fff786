"""``regalerts tenants create NAME [--json]`` and ``regalerts subscriptions list`` as real subprocesses."""

from __future__ import annotations

import json

from sqlalchemy import Engine

from services.notify.schemas import SubscriptionCreate
from services.notify.store import create_subscription, tenant_by_api_key
from services.pipeline.db import make_session_factory
from tests.conftest import run_regalerts


def regalerts(engine: Engine, *args: str) -> str:
    result = run_regalerts(*args, env={"REGALERTS_DATABASE_URL": engine.url.render_as_string(hide_password=False)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_tenants_create_prints_the_key_once(sqlite_engine: Engine) -> None:
    created = json.loads(regalerts(sqlite_engine, "tenants", "create", "Acme Compliance", "--json"))
    assert set(created) == {"tenant_id", "api_key"}
    sessions = make_session_factory(sqlite_engine)
    with sessions.begin() as session:
        tenant = tenant_by_api_key(session, api_key=created["api_key"])
        assert tenant is not None and tenant.id == created["tenant_id"] and tenant.name == "Acme Compliance"
        data = SubscriptionCreate.model_validate(
            {"name": "hook", "channel": {"type": "webhook", "url": "https://example.org/hook"}}
        )
        _, secret = create_subscription(session, tenant_id=tenant.id, data=data)
    text = regalerts(sqlite_engine, "tenants", "create", "Other")
    assert "API key:   rak_" in text and "shown only now" in text
    listed = regalerts(sqlite_engine, "subscriptions", "list", "--tenant", created["tenant_id"])
    [line] = listed.splitlines()
    assert json.loads(line)["channel"]["url"] == "https://example.org/hook"
    assert secret is not None and secret not in listed and created["api_key"] not in listed
