"""Tenant watchlists: tenant-scoped CRUD (store and API), notify's own matching of entities in items, and
watchlist alerts reaching only the owning tenant."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from services.notify.models import WatchlistEntity
from services.notify.watchlists import (
    WatchlistEntityPublic,
    WatchlistIndex,
    create_entity,
    delete_entity,
    get_entity,
    list_entities,
    update_entity,
)
from services.pipeline.db import make_session_factory, utcnow
from tests.notify.conftest import Api, Receiver, Running, make_item, wait_for


def _entity(api: Api, tenant: str, name: str, aliases: list[str]) -> str:
    response = api.client.post("/v1/watchlists", json={"name": name, "aliases": aliases}, headers=api.auth(tenant))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_crud_is_scoped_to_the_tenant(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    with sessions() as session:
        acme = create_entity(session, tenant_id="t1", name=" Acme Widgets ", aliases=["Acme", "ACME", "Acme", " "])
        create_entity(session, tenant_id="t2", name="Other", kind="person")
        assert (acme.name, acme.aliases, acme.kind) == ("Acme Widgets", ["Acme", "ACME"], "organisation")
    with sessions() as session:
        assert [e.name for e in list_entities(session, tenant_id="t1")] == ["Acme Widgets"]
        assert get_entity(session, tenant_id="t2", entity_id=acme.id) is None
        assert update_entity(session, tenant_id="t2", entity_id=acme.id, name="Stolen") is None
        assert not delete_entity(session, tenant_id="t2", entity_id=acme.id)
        updated = update_entity(session, tenant_id="t1", entity_id=acme.id, aliases=["Acme AG"], kind="organisation")
        assert updated is not None and updated.name == "Acme Widgets" and updated.aliases == ["Acme AG"]
        assert updated.updated_at >= updated.created_at
        public = WatchlistEntityPublic.model_validate(updated)
        assert public.model_dump().keys() == {"id", "name", "aliases", "kind", "created_at", "updated_at"}
    with sessions() as session:
        assert delete_entity(session, tenant_id="t1", entity_id=acme.id)
        assert list_entities(session, tenant_id="t1") == []
        assert [e.name for e in list_entities(session, tenant_id="t2")] == ["Other"]


def test_bad_entities_are_refused_with_a_clear_error(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    with sessions() as session:
        with pytest.raises(ValueError, match="at least 1 character"):
            create_entity(session, tenant_id="t1", name="  ")
        with pytest.raises(ValueError, match="Input should be"):
            create_entity(session, tenant_id="t1", name="X", kind="planet")
        with pytest.raises(ValueError, match="at most 50 aliases"):
            create_entity(session, tenant_id="t1", name="X", aliases=[f"a{i}" for i in range(51)])
        assert list_entities(session, tenant_id="t1") == []


def _stored(tenant: str, entity_id: str, name: str, *aliases: str) -> WatchlistEntity:
    now = utcnow()
    return WatchlistEntity(
        id=entity_id,
        tenant_id=tenant,
        name=name,
        aliases=list(aliases),
        kind="organisation",
        created_at=now,
        updated_at=now,
    )


def test_the_index_finds_names_and_aliases_as_whole_words_per_tenant() -> None:
    index = WatchlistIndex(
        [
            _stored("t1", "e1", "Acme", "Acme AG"),
            _stored("t1", "e2", "Beta Metall"),
            _stored("t2", "e3", "Jane Roe"),
            _stored("t2", "e4", "腾讯", "Tencent"),
            _stored("t3", "e5", "Acme"),
        ]
    )
    title, summary = "WEKO büsst ACME", "Die Acme AG und ihr Zulieferer Beta-Metall; CEO Jane Roes Stellvertreter."
    assert index.find(title, summary) == {"t1": {"e1": "Acme"}, "t3": {"e5": "Acme"}}
    assert index.find("监管部门约谈腾讯公司", "") == {"t2": {"e4": "腾讯"}}
    assert index.find("Acmes and Tencents", "") == {}
    assert index.find("Beta Métall fined", "") == {"t1": {"e2": "Beta Metall"}}
    assert WatchlistIndex([]).find("anything", "") == {}


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


def test_watchlist_entities_found_by_notify_alert_only_the_owning_tenant(
    api: Api, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(api.engine)
    falcon = _entity(api, "a", "Project Falcon", ["Falcon Programme"])
    for tenant, path, filters in (("a", "/a", {"watchlist_entities": [falcon]}), ("b", "/b", {"watchlist": True})):
        body = {"name": path, "filters": filters, "channel": {"type": "webhook", "url": receiver.url + path}}
        response = api.client.post("/v1/subscriptions", json=body, headers=api.auth(tenant))
        receiver.secrets[path] = response.json()["secret"]
    title = "Regulator questions suppliers of the Falcon Programme"
    assert running.intake.ingest(make_item("feed:1", title=title, summary="No other names here.")) == 1
    wait_for(lambda: len(receiver.on("/a")) == 1, "tenant a's watchlist alert")
    assert receiver.on("/a")[0].json()["data"]["watchlist_hits"] == [{"entity_id": falcon, "name": "Project Falcon"}]
    # An entity added later counts from the next item on, without a restart.
    northwind = _entity(api, "b", "Northwind Traders", [])
    assert running.intake.ingest(make_item("feed:2", title="Northwind Traders fined", summary="")) == 1
    wait_for(lambda: len(receiver.on("/b")) == 1, "tenant b's watchlist alert")
    assert receiver.on("/b")[0].json()["data"]["watchlist_hits"] == [
        {"entity_id": northwind, "name": "Northwind Traders"}
    ]
    assert len(receiver.on("/a")) == 1 and receiver.refused == 0
