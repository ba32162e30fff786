"""/v1/api-keys: several named keys per tenant, each shown once, listed by prefix only, revocable; another
tenant's key is 404 and a key cannot revoke itself."""

from __future__ import annotations

from tests.notify.conftest import Api


def test_a_tenant_has_several_keys_each_shown_once_and_revocable(api: Api) -> None:
    [default] = api.client.get("/v1/api-keys", headers=api.auth("a")).json()
    assert default["name"] == "default" and api.keys["a"].startswith(default["prefix"])
    created = api.client.post("/v1/api-keys", json={"name": "  CI  "}, headers=api.auth("a"))
    assert created.status_code == 201, created.text
    body = created.json()
    key = body["key"]
    assert body["name"] == "CI" and key.startswith("rak_") and key.startswith(body["prefix"])
    assert len(body["prefix"]) == 12 and body["revoked_at"] is None
    mine = {"Authorization": f"Bearer {key}"}
    assert api.client.get("/v1/subscriptions", headers=mine).status_code == 200  # works at once
    listed = api.client.get("/v1/api-keys", headers=mine)
    assert [k["name"] for k in listed.json()] == ["default", "CI"]
    assert key not in listed.text and api.keys["a"] not in listed.text  # never the key itself
    assert "key" not in listed.json()[1]

    itself = api.client.delete(f"/v1/api-keys/{body['id']}", headers=mine)
    assert itself.status_code == 409 and "cannot revoke itself" in itself.text
    assert api.client.delete(f"/v1/api-keys/{body['id']}", headers=api.auth("a")).status_code == 204
    assert api.client.get("/v1/subscriptions", headers=mine).status_code == 401
    revoked = api.client.get("/v1/api-keys", headers=api.auth("a")).json()[1]
    assert revoked["revoked_at"] is not None
    assert api.client.get("/v1/subscriptions", headers=api.auth("a")).status_code == 200  # the others still work


def test_another_tenants_keys_are_404_and_invisible(api: Api) -> None:
    created = api.client.post("/v1/api-keys", json={"name": "export"}, headers=api.auth("a")).json()
    assert api.client.delete(f"/v1/api-keys/{created['id']}", headers=api.auth("b")).status_code == 404
    assert [k["name"] for k in api.client.get("/v1/api-keys", headers=api.auth("b")).json()] == ["default"]
    assert api.client.get("/v1/subscriptions", headers={"Authorization": f"Bearer {created['key']}"}).status_code == 200
    assert api.client.delete("/v1/api-keys/key_nope", headers=api.auth("a")).status_code == 404


def test_a_key_needs_a_name(api: Api) -> None:
    for body in ({}, {"name": ""}, {"name": "   "}, {"name": "x" * 101}, {"name": "ok", "extra": 1}):
        assert api.client.post("/v1/api-keys", json=body, headers=api.auth("a")).status_code == 422, body
    assert api.client.post("/v1/api-keys", json={"name": "x"}).status_code == 401
