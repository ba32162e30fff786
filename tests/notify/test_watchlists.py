"""/v1/watchlists through the API, and watchlist alerts found by classify's matcher reaching only their tenant."""

from __future__ import annotations

from collections.abc import Callable

from services.classify.watchlist import WatchlistMatcher
from services.pipeline.db import make_session_factory
from tests.notify.conftest import Api, Receiver, Running, make_item, wait_for


def _entity(api: Api, tenant: str, name: str, aliases: list[str]) -> str:
    response = api.client.post("/v1/watchlists", json={"name": name, "aliases": aliases}, headers=api.auth(tenant))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_watchlist_crud_is_tenant_scoped(api: Api) -> None:
    entity_id = _entity(api, "a", "Project Falcon", ["Falcon Programme"])
    a, b = api.auth("a"), api.auth("b")
    listed = api.client.get("/v1/watchlists", headers=a).json()
    assert [(e["id"], e["name"], e["aliases"]) for e in listed] == [(entity_id, "Project Falcon", ["Falcon Programme"])]
    assert api.client.get("/v1/watchlists", headers=b).json() == []
    assert api.client.get(f"/v1/watchlists/{entity_id}", headers=b).status_code == 404
    assert api.client.patch(f"/v1/watchlists/{entity_id}", json={"name": "x"}, headers=b).status_code == 404
    assert api.client.delete(f"/v1/watchlists/{entity_id}", headers=b).status_code == 404
    changed = api.client.patch(f"/v1/watchlists/{entity_id}", json={"aliases": ["Falcon", " Falcon "]}, headers=a)
    assert changed.status_code == 200 and changed.json()["aliases"] == ["Falcon"]
    for bad in ({"name": ""}, {"name": "x", "kind": "planet"}, {"name": "x", "aliases": ["y"] * 51}, {"nom": "x"}):
        assert api.client.post("/v1/watchlists", json=bad, headers=a).status_code == 422, bad
    hook = {"type": "webhook", "url": "http://127.0.0.1:9/hook"}
    theirs = {"name": "steal", "filters": {"watchlist_entities": [entity_id]}, "channel": hook}
    assert api.client.post("/v1/subscriptions", json=theirs, headers=b).status_code == 422
    assert api.client.post("/v1/subscriptions", json=theirs, headers=a).status_code == 201
    assert api.client.delete(f"/v1/watchlists/{entity_id}", headers=a).status_code == 204
    assert api.client.get(f"/v1/watchlists/{entity_id}", headers=a).status_code == 404


def test_classify_watchlist_hits_alert_only_the_owning_tenant(
    api: Api, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(api.engine)
    falcon = _entity(api, "a", "Project Falcon", [])
    _entity(api, "b", "Northwind Traders", [])
    for tenant, path, filters in (("a", "/a", {"watchlist_entities": [falcon]}), ("b", "/b", {"watchlist": True})):
        body = {"name": path, "filters": filters, "channel": {"type": "webhook", "url": receiver.url + path}}
        response = api.client.post("/v1/subscriptions", json=body, headers=api.auth(tenant))
        receiver.secrets[path] = response.json()["secret"]
    matcher = WatchlistMatcher(make_session_factory(api.engine), refresh_s=0.0)
    title = "Regulator questions suppliers of Project Falcon"
    hits = matcher.match(title, "No other names here.")
    assert [(h.tenant_id, h.entity_id) for h in hits] == [(api.tenant_ids["a"], falcon)]
    item = make_item("feed:1", title=title, watchlist=[(h.tenant_id, h.entity_id, h.name) for h in hits])
    assert running.intake.ingest(item) == 1
    wait_for(lambda: len(receiver.on("/a")) == 1, "tenant a's watchlist alert")
    assert receiver.on("/a")[0].json()["data"]["watchlist_hits"] == [{"entity_id": falcon, "name": "Project Falcon"}]
    assert receiver.on("/b") == [] and receiver.refused == 0
