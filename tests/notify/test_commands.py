"""``regalerts tenants create NAME [--json]`` and ``regalerts subscriptions list`` as real subprocesses."""

from __future__ import annotations

import json

from sqlalchemy import Engine

from services.notify.api_keys import tenant_by_api_key
from services.notify.schemas import SubscriptionCreate
from services.notify.store import create_subscription
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


def _run(engine: Engine, *args: str) -> tuple[int, str, str]:
    result = run_regalerts(*args, env={"REGALERTS_DATABASE_URL": engine.url.render_as_string(hide_password=False)})
    return result.returncode, result.stdout, result.stderr


def test_tenants_list_shows_every_tenant_without_its_key(sqlite_engine: Engine) -> None:
    first = json.loads(regalerts(sqlite_engine, "tenants", "create", "acme", "--json"))
    second = json.loads(regalerts(sqlite_engine, "tenants", "create", "globex", "--json"))
    listed = [json.loads(line) for line in regalerts(sqlite_engine, "tenants", "list").splitlines()]
    assert [(t["id"], t["name"]) for t in listed] == [(first["tenant_id"], "acme"), (second["tenant_id"], "globex")]
    assert all(set(t) == {"id", "name", "created_at"} for t in listed)


def test_a_second_tenant_with_the_same_name_is_refused(sqlite_engine: Engine) -> None:
    created = json.loads(regalerts(sqlite_engine, "tenants", "create", "acme", "--json"))
    code, out, err = _run(sqlite_engine, "tenants", "create", "acme", "--json")
    assert code == 1 and out == ""
    assert err.strip() == f"error: a tenant named 'acme' exists already ({created['tenant_id']})"
    assert len(regalerts(sqlite_engine, "tenants", "list").splitlines()) == 1


def test_tenant_is_named_by_id_or_name_and_an_unknown_one_is_an_error(sqlite_engine: Engine) -> None:
    created = json.loads(regalerts(sqlite_engine, "tenants", "create", "acme", "--json"))
    with make_session_factory(sqlite_engine).begin() as session:
        data = SubscriptionCreate.model_validate(
            {"name": "hook", "channel": {"type": "webhook", "url": "https://example.org/h"}}
        )
        create_subscription(session, tenant_id=created["tenant_id"], data=data)
    by_name = regalerts(sqlite_engine, "subscriptions", "list", "--tenant", "acme")
    assert by_name == regalerts(sqlite_engine, "subscriptions", "list", "--tenant", created["tenant_id"])
    assert json.loads(by_name)["name"] == "hook"
    code, out, err = _run(sqlite_engine, "subscriptions", "list", "--tenant", "nobody")
    assert code == 1 and out == ""
    assert "no tenant has the id or name 'nobody'" in err


def test_key_only_prints_just_a_working_key(sqlite_engine: Engine) -> None:
    key = regalerts(sqlite_engine, "tenants", "create", "acme", "--key-only").strip()
    with make_session_factory(sqlite_engine)() as session:
        tenant = tenant_by_api_key(session, api_key=key)
    assert tenant is not None and tenant.name == "acme"
