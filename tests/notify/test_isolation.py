"""Tenant isolation probed through the API, with the notify core delivering to a local receiver."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from tests.notify.conftest import Api, Receiver, Running, make_item, wait_for


def _subscribe(api: Api, tenant: str, receiver: Receiver, path: str, filters: dict[str, object]) -> str:
    body = {"name": path, "filters": filters, "channel": {"type": "webhook", "url": receiver.url + path}}
    response = api.client.post("/v1/subscriptions", json=body, headers=api.auth(tenant))
    assert response.status_code == 201, response.text
    receiver.secrets[path] = response.json()["secret"]
    return str(response.json()["id"])


def _entity(api: Api, tenant: str, name: str) -> str:
    response = api.client.post("/v1/watchlists", json={"name": name}, headers=api.auth(tenant))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_watchlist_hits_reach_only_their_own_tenant(
    api: Api, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(api.engine)
    b = api.tenant_ids["b"]
    ent_a, ent_b = _entity(api, "a", "Secret Project A"), _entity(api, "b", "Secret B")
    _subscribe(api, "a", receiver, "/a-any", {"watchlist": True})
    _subscribe(api, "a", receiver, "/a-entity", {"watchlist_entities": [ent_a]})
    _subscribe(api, "b", receiver, "/b-any", {"watchlist": True})
    # Even a subscription of b naming a's entity (the API refuses it; written to the store here) gets nothing.
    _, secret = running.subscribe(
        b, {"type": "webhook", "url": receiver.url + "/b-steals"}, filters={"watchlist_entities": [ent_a]}
    )
    receiver.secrets["/b-steals"] = secret or ""
    item = make_item("feed:1", summary="Regulators ask about Secret Project A.")
    assert running.intake.ingest(item) == 2
    wait_for(lambda: len(receiver.received) == 2, "tenant a's two alerts")
    assert {r.path for r in receiver.received} == {"/a-any", "/a-entity"}
    for received in receiver.received:
        assert received.json()["data"]["watchlist_hits"] == [{"entity_id": ent_a, "name": "Secret Project A"}]
    # An item with both tenants' hits: each sees only its own entity.
    both = make_item("feed:2", summary="Secret Project A and Secret B are named.")
    running.intake.ingest(both)
    wait_for(lambda: len(receiver.on("/b-any")) == 1, "tenant b's alert")
    assert receiver.on("/b-any")[0].json()["data"]["watchlist_hits"] == [{"entity_id": ent_b, "name": "Secret B"}]
    assert receiver.on("/b-steals") == [] and receiver.refused == 0


def test_deliveries_are_listed_and_replayed_only_for_their_tenant(
    api: Api, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(api.engine)
    sub_id = _subscribe(api, "a", receiver, "/a", {"companies": ["acme"]})
    running.intake.ingest(make_item("feed:1"))
    wait_for(lambda: [d.status for d in running.deliveries()] == ["delivered"], "the delivery")
    page = api.client.get("/v1/deliveries", headers=api.auth("a")).json()
    [delivery] = page["items"]
    assert delivery["subscription_id"] == sub_id and delivery["status"] == "delivered"
    assert [(x["outcome"], x["status_code"]) for x in delivery["attempts"]] == [("delivered", 200)]
    assert page["next_offset"] is None
    assert api.client.get("/v1/deliveries", headers=api.auth("b")).json()["items"] == []
    retry = f"/v1/deliveries/{delivery['id']}/retry"
    assert api.client.post(retry, headers=api.auth("b")).status_code == 404
    assert api.client.post(retry, headers=api.auth("a")).status_code == 202
    running.worker.wake()
    wait_for(lambda: len(receiver.on("/a")) == 2, "the replay")
    ids = {r.headers["webhook-id"] for r in receiver.on("/a")}
    assert ids == {delivery["id"]}  # a replay keeps its id, so the receiver can deduplicate
    filtered = api.client.get("/v1/deliveries?status=dead", headers=api.auth("a")).json()
    assert filtered["items"] == []


def test_webhook_url_is_checked_again_at_send(engine: Engine, notify_on: Callable[..., Running]) -> None:
    running = notify_on(engine, retry_schedule_s=[0.01])
    tenant = running.tenant()
    running.subscribe(tenant, {"type": "webhook", "url": "http://10.1.2.3:9/hook"})  # bypasses the API check
    running.intake.ingest(make_item("feed:1"))
    wait_for(lambda: [d.status for d in running.deliveries()] == ["dead"], "the refused delivery to die")
    wait_for(lambda: len(running.published) == 2, "both attempts published")
    assert all("blocked by SSRF policy" in (a.error or "") for a in running.published), running.published


def test_every_route_taking_an_id_answers_404_for_another_tenants_id(
    api: Api, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(api.engine)
    a, b = api.auth("a"), api.auth("b")
    entity_id = _entity(api, "a", "Project Falcon")
    sub_id = _subscribe(api, "a", receiver, "/a", {"watchlist_entities": [entity_id]})
    running.intake.ingest(make_item("feed:1", summary="Project Falcon is named."))
    wait_for(lambda: len(receiver.on("/a")) == 1, "tenant a's alert")
    [delivery_id] = [d.id for d in running.deliveries()]
    key_id = api.client.post("/v1/api-keys", json={"name": "CI"}, headers=a).json()["id"]
    ids = {"subscription_id": sub_id, "entity_id": entity_id, "delivery_id": delivery_id, "key_id": key_id}
    before = {
        path: api.client.get(path, headers=a).json() for path in ("/v1/subscriptions", "/v1/watchlists", "/v1/api-keys")
    }
    paths = api.client.get("/openapi.json").json()["paths"]  # every route the API serves
    probed = set()
    for path, operations in paths.items():
        if "{" not in path or not path.startswith("/v1/"):
            continue  # /unsubscribe/{token}: a signed token, no tenant
        for method in operations:
            body = None if method in ("get", "delete") else {"name": "stolen"}
            response = api.client.request(method.upper(), path.format(**ids), json=body, headers=b)
            assert response.status_code == 404, (method, path, response.text)
            probed.add(f"{method.upper()} {path}")
    sub, entity = "/v1/subscriptions/{subscription_id}", "/v1/watchlists/{entity_id}"
    known = {f"{m} {sub}" for m in ("GET", "PATCH", "DELETE")} | {f"{m} {entity}" for m in ("GET", "PATCH", "DELETE")}
    known |= {f"POST {sub}/{action}" for action in ("pause", "resume", "test", "rotate-secret")}
    known |= {"POST /v1/deliveries/{delivery_id}/retry", "DELETE /v1/api-keys/{key_id}"}
    assert probed >= known, probed  # new routes are probed too
    # Nothing of a's changed, and a reference to a's entity is refused to b as a missing one is.
    assert {path: api.client.get(path, headers=a).json() for path in before} == before
    assert len(receiver.on("/a")) == 1
    hook = {"type": "webhook", "url": receiver.url + "/b"}
    b_sub = api.client.post("/v1/subscriptions", json={"name": "b", "channel": hook}, headers=b).json()["id"]
    answers = [
        api.client.patch(f"/v1/subscriptions/{b_sub}", json={"filters": {"watchlist_entities": [ref]}}, headers=b)
        for ref in (entity_id, "no-such-entity")
    ]
    assert [r.status_code for r in answers] == [422, 422]
    assert answers[0].text.replace(entity_id, "X") == answers[1].text.replace("no-such-entity", "X")
