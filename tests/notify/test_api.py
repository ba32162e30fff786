"""The notify API served on a local port: keys, subscriptions, test sends, secret rotation, isolation."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from services.notify.models import ApiKey
from tests.notify.conftest import Api, Receiver


def _create(api: Api, tenant: str, url: str, **fields: object) -> dict[str, object]:
    body = {
        "name": "tencent watch",
        "filters": {"companies": ["Tencent"]},
        "channel": {"type": "webhook", "url": url, "format": "json"},
        **fields,
    }
    response = api.client.post("/v1/subscriptions", json=body, headers=api.auth(tenant))
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


def test_every_v1_route_needs_a_valid_key(api: Api) -> None:
    for method, path in (("GET", "/v1/subscriptions"), ("GET", "/v1/deliveries"), ("GET", "/v1/watchlists")):
        assert api.client.request(method, path).status_code == 401
        bad = {"Authorization": "Bearer rak_not-a-key"}
        assert api.client.request(method, path, headers=bad).status_code == 401


def test_api_keys_are_stored_hashed(api: Api) -> None:
    with api.engine.connect() as connection:
        hashes = set(connection.scalars(select(ApiKey.key_hash)))
    assert not set(api.keys.values()) & hashes
    assert {hashlib.sha256(k.encode()).hexdigest() for k in api.keys.values()} == hashes


def test_subscription_lifecycle(api: Api, receiver: Receiver) -> None:
    created = _create(api, "a", receiver.url + "/hook")
    sub_id, secret = str(created["id"]), str(created["secret"])
    assert secret.startswith("whsec_")
    assert created["filters"]["companies"] == ["Tencent"]  # type: ignore[index]
    read = api.client.get(f"/v1/subscriptions/{sub_id}", headers=api.auth("a")).json()
    assert "secret" not in read and secret not in str(read)
    listed = api.client.get("/v1/subscriptions", headers=api.auth("a")).json()
    assert [s["id"] for s in listed] == [sub_id] and secret not in str(listed)
    patch = {"filters": {"companies": ["ByteDance"], "regulators": ["CAC"]}, "name": "renamed"}
    changed = api.client.patch(f"/v1/subscriptions/{sub_id}", json=patch, headers=api.auth("a")).json()
    assert changed["name"] == "renamed" and changed["filters"]["regulators"] == ["CAC"]
    assert api.client.post(f"/v1/subscriptions/{sub_id}/pause", headers=api.auth("a")).json()["paused"] is True
    assert api.client.post(f"/v1/subscriptions/{sub_id}/resume", headers=api.auth("a")).json()["paused"] is False
    assert api.client.delete(f"/v1/subscriptions/{sub_id}", headers=api.auth("a")).status_code == 204
    assert api.client.get(f"/v1/subscriptions/{sub_id}", headers=api.auth("a")).status_code == 404


def test_bad_input_gets_a_clear_error(api: Api, receiver: Receiver) -> None:
    cases = [
        {"name": "x", "channel": {"type": "webhook", "url": "http://10.1.2.3/hook"}},
        {"name": "x", "channel": {"type": "webhook", "url": "http://169.254.169.254/latest"}},
        {"name": "x", "channel": {"type": "webhook", "url": "file:///etc/passwd"}},
        {"name": "x", "channel": {"type": "email", "addresses": ["a@example.com\r\nBcc: b@example.com"]}},
        {"name": "x", "channel": {"type": "webhook", "url": receiver.url}, "filters": {"actions": ["no-such"]}},
        {"name": "x", "channel": {"type": "webhook", "url": receiver.url}, "filters": {"colour": ["red"]}},
        {
            "name": "x",
            "channel": {"type": "email", "addresses": ["a@example.com"]},
            "mode": "digest",
            "digest": {"frequency": "daily", "hour": 8, "timezone": "Mars/Olympus"},
        },
    ]
    for body in cases:
        response = api.client.post("/v1/subscriptions", json=body, headers=api.auth("a"))
        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"]
    assert api.client.get("/v1/subscriptions", headers=api.auth("a")).json() == []


def test_email_digest_subscription(api: Api) -> None:
    body = {
        "name": "daily",
        "channel": {"type": "email", "addresses": ["Ops@Example.COM"]},
        "mode": "digest",
        "digest": {"frequency": "daily", "hour": 7, "timezone": "Europe/Paris"},
    }
    created = api.client.post("/v1/subscriptions", json=body, headers=api.auth("a")).json()
    assert created["secret"] is None
    assert created["channel"] == {"type": "email", "addresses": ["Ops@example.com"]}
    assert created["digest"] == {"frequency": "daily", "hour": 7, "timezone": "Europe/Paris"}


def test_test_endpoint_reports_the_real_outcome(api: Api, receiver: Receiver) -> None:
    created = _create(api, "a", receiver.url + "/ok")
    receiver.secrets["/ok"] = str(created["secret"])
    outcome = api.client.post(f"/v1/subscriptions/{created['id']}/test", headers=api.auth("a")).json()
    assert outcome["delivered"] is True and outcome["status_code"] == 200
    sent = receiver.on("/ok")[0].json()
    assert sent["type"] == "alert.test" and sent["data"]["item"]["title"].startswith("Test alert")
    missing = _create(api, "a", receiver.url + "/missing")
    receiver.answer("/missing", 404)
    outcome = api.client.post(f"/v1/subscriptions/{missing['id']}/test", headers=api.auth("a")).json()
    assert outcome == {**outcome, "delivered": False, "status_code": 404, "error": "HTTP 404"}
    assert receiver.refused == 0


def test_rotated_secret_overlaps_the_previous_one(api: Api, receiver: Receiver) -> None:
    created = _create(api, "a", receiver.url + "/rot")
    old = str(created["secret"])
    rotated = api.client.post(f"/v1/subscriptions/{created['id']}/rotate-secret", headers=api.auth("a")).json()
    new = rotated["secret"]
    assert new.startswith("whsec_") and new != old
    for secret in (old, new):  # a receiver that knows either secret accepts the alert
        receiver.secrets["/rot"] = secret
        outcome = api.client.post(f"/v1/subscriptions/{created['id']}/test", headers=api.auth("a")).json()
        assert outcome["delivered"] is True
    assert len(receiver.received) == 2 and receiver.refused == 0
    receiver.secrets["/rot"] = "whsec_" + "A" * 32  # an unrelated secret is refused
    outcome = api.client.post(f"/v1/subscriptions/{created['id']}/test", headers=api.auth("a")).json()
    assert outcome["delivered"] is False and outcome["status_code"] == 401


def test_a_tenant_never_sees_or_changes_another_tenants_subscriptions(api: Api, receiver: Receiver) -> None:
    created = _create(api, "a", receiver.url + "/a")
    sub_id = created["id"]
    b = api.auth("b")
    assert api.client.get("/v1/subscriptions", headers=b).json() == []
    assert api.client.get(f"/v1/subscriptions/{sub_id}", headers=b).status_code == 404
    assert api.client.patch(f"/v1/subscriptions/{sub_id}", json={"name": "x"}, headers=b).status_code == 404
    for action in ("pause", "resume", "test", "rotate-secret"):
        assert api.client.post(f"/v1/subscriptions/{sub_id}/{action}", headers=b).status_code == 404
    assert api.client.delete(f"/v1/subscriptions/{sub_id}", headers=b).status_code == 404
    assert api.client.get(f"/v1/deliveries?subscription_id={sub_id}", headers=b).json()["items"] == []
    assert receiver.received == []
    still = api.client.get(f"/v1/subscriptions/{sub_id}", headers=api.auth("a")).json()
    assert still["name"] == "tencent watch" and still["paused"] is False


def test_redirects_are_not_followed(api: Api, receiver: Receiver) -> None:
    created = _create(api, "a", receiver.url + "/moved")
    receiver.answer("/moved", (302, {"Location": receiver.url + "/elsewhere"}))
    outcome = api.client.post(f"/v1/subscriptions/{created['id']}/test", headers=api.auth("a")).json()
    assert outcome["delivered"] is False and outcome["status_code"] == 302
    assert "redirects are not followed" in outcome["error"]
    assert receiver.received == []


def test_switching_to_a_webhook_shows_its_new_secret_once(api: Api, receiver: Receiver) -> None:
    body = {"name": "mail", "channel": {"type": "email", "addresses": ["ops@example.com"]}}
    created = api.client.post("/v1/subscriptions", json=body, headers=api.auth("a")).json()
    assert created["secret"] is None
    webhook = {"channel": {"type": "webhook", "url": receiver.url + "/switched"}}
    changed = api.client.patch(f"/v1/subscriptions/{created['id']}", json=webhook, headers=api.auth("a"))
    assert changed.status_code == 200, changed.text
    secret = changed.json()["secret"]
    assert secret.startswith("whsec_") and changed.json()["channel"]["type"] == "webhook"
    receiver.secrets["/switched"] = secret  # the receiver verifies the signature with the secret shown
    outcome = api.client.post(f"/v1/subscriptions/{created['id']}/test", headers=api.auth("a")).json()
    assert outcome["delivered"] is True and len(receiver.on("/switched")) == 1 and receiver.refused == 0
    renamed = api.client.patch(f"/v1/subscriptions/{created['id']}", json={"name": "x"}, headers=api.auth("a"))
    assert renamed.json()["secret"] is None  # shown once: not on later changes, nor on reads
    assert secret not in api.client.get(f"/v1/subscriptions/{created['id']}", headers=api.auth("a")).text


def test_repeated_addresses_are_kept_once(api: Api) -> None:
    addresses = ["ops@example.com", "ops@example.com", "ops@EXAMPLE.com", "legal@example.com"]
    body = {"name": "mail", "channel": {"type": "email", "addresses": addresses}}
    created = api.client.post("/v1/subscriptions", json=body, headers=api.auth("a")).json()
    assert created["channel"]["addresses"] == ["ops@example.com", "legal@example.com"]
    patch = {"channel": {"type": "email", "addresses": ["Ann@Example.org", "Ann@example.ORG"]}}
    changed = api.client.patch(f"/v1/subscriptions/{created['id']}", json=patch, headers=api.auth("a")).json()
    assert changed["channel"]["addresses"] == ["Ann@example.org"]


def test_a_digest_schedule_needs_digest_mode(api: Api) -> None:
    channel = {"type": "email", "addresses": ["ops@example.com"]}
    digest = {"frequency": "hourly", "hour": 8, "timezone": "UTC"}
    for fields in ({"mode": "instant", "digest": digest}, {"digest": digest}):
        response = api.client.post(
            "/v1/subscriptions", json={"name": "x", "channel": channel, **fields}, headers=api.auth("a")
        )
        assert response.status_code == 422 and "applies only to mode" in response.text, response.text
    created = api.client.post("/v1/subscriptions", json={"name": "x", "channel": channel}, headers=api.auth("a")).json()
    url = f"/v1/subscriptions/{created['id']}"
    for patch in ({"digest": digest}, {"mode": "instant", "digest": digest}):
        response = api.client.patch(url, json=patch, headers=api.auth("a"))
        assert response.status_code == 422 and "applies only to mode" in response.text, response.text
    assert api.client.get(url, headers=api.auth("a")).json()["mode"] == "instant"  # nothing changed
    changed = api.client.patch(url, json={"mode": "digest", "digest": digest}, headers=api.auth("a")).json()
    assert (changed["mode"], changed["digest"]) == ("digest", digest)
    daily = {**digest, "frequency": "daily", "hour": 7}
    assert api.client.patch(url, json={"digest": daily}, headers=api.auth("a")).json()["digest"] == daily
    assert api.client.patch(url, json={"mode": "instant"}, headers=api.auth("a")).json()["digest"] is None
