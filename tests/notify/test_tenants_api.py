"""/v1/tenants: the operators' API — behind the admin token (503 without one), listed a page at a time,
created once per name (409 after), the first API key shown once and never again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.notify.conftest import Api, serve_api

TOKEN = "operator-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def admin_api(engine: Engine) -> Iterator[Api]:
    """The API with an admin token, on SQLite and on PostgreSQL."""
    with serve_api(engine, notify_admin_token=TOKEN) as served:
        yield served


def test_an_operator_creates_a_tenant_whose_key_is_shown_once(admin_api: Api) -> None:
    created = admin_api.client.post("/v1/tenants", json={"name": "  acme  "}, headers=ADMIN)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "acme" and body["id"].startswith("tn") and body["api_key"].startswith("rak_")
    mine = {"Authorization": f"Bearer {body['api_key']}"}
    assert admin_api.client.get("/v1/subscriptions", headers=mine).status_code == 200  # the key works
    [default] = admin_api.client.get("/v1/api-keys", headers=mine).json()
    assert default["name"] == "default"

    again = admin_api.client.post("/v1/tenants", json={"name": "acme"}, headers=ADMIN)
    assert again.status_code == 409 and again.json()["detail"]["id"] == body["id"]
    listed = admin_api.client.get("/v1/tenants", headers=ADMIN)
    assert listed.status_code == 200
    assert body["api_key"] not in listed.text and "api_key" not in listed.text  # never echoed later
    assert [t["name"] for t in listed.json()][-1] == "acme"
    assert {"id", "name", "created_at"} == set(listed.json()[-1])


def test_tenants_are_listed_a_page_at_a_time(admin_api: Api) -> None:
    for name in ("one", "two", "three"):
        assert admin_api.client.post("/v1/tenants", json={"name": name}, headers=ADMIN).status_code == 201
    names, url = [], "/v1/tenants?limit=2"
    while url:
        page = admin_api.client.get(url, headers=ADMIN)
        assert page.status_code == 200 and len(page.json()) <= 2
        names += [t["name"] for t in page.json()]
        url = page.links.get("next", {}).get("url", "")
    assert names[2:] == ["one", "two", "three"] and len(names) == 5  # after the fixture's tenants a and b
    assert admin_api.client.get("/v1/tenants?cursor=nope", headers=ADMIN).status_code == 422


def test_only_the_admin_token_opens_the_tenant_api(admin_api: Api) -> None:
    tenant_key = admin_api.auth("a")
    for headers in ({}, tenant_key, {"Authorization": "Bearer wrong"}):
        assert admin_api.client.get("/v1/tenants", headers=headers).status_code == 401
        assert admin_api.client.post("/v1/tenants", json={"name": "x"}, headers=headers).status_code == 401


def test_without_an_admin_token_the_tenant_api_is_off(api: Api) -> None:
    refused = api.client.get("/v1/tenants")
    assert refused.status_code == 503 and "REGALERTS_NOTIFY_ADMIN_TOKEN" in refused.json()["detail"]
    assert api.client.post("/v1/tenants", json={"name": "x"}, headers=api.auth("a")).status_code == 503


def test_a_tenant_needs_a_name(admin_api: Api) -> None:
    for body in ({}, {"name": ""}, {"name": "   "}, {"name": "x" * 201}, {"name": "ok", "extra": 1}):
        answer = admin_api.client.post("/v1/tenants", json=body, headers=ADMIN)
        assert answer.status_code == 422, body
