"""The API keys page against notify's real API: a key is shown once, listed by prefix only, revoked; the
web app's own key cannot be revoked; another tenant's key is 404; forms need their CSRF token; names are
escaped."""

from __future__ import annotations

import re

import httpx

from tests.web.conftest import Stack, csrf_of


def _notify(stack: Stack, key: str) -> httpx.Client:
    return httpx.Client(base_url=stack.web.settings.web_notify_url, headers={"Authorization": f"Bearer {key}"})


def _create(client: httpx.Client, name: str) -> httpx.Response:
    return client.post("/api-keys", data={"csrf_token": csrf_of(client.get("/api-keys")), "name": name})


def test_a_key_is_shown_once_listed_by_prefix_and_revoked(stack: Stack) -> None:
    client = stack.web.signed_in(stack.web.alice)
    created = _create(client, "SIEM export")
    assert created.status_code == 200, created.text
    found = re.search(r'<code id="new-key">(rak_[\w-]+)</code>', created.text)
    assert found, created.text
    key = found.group(1)
    with _notify(stack, key) as notify:
        assert notify.get("/v1/subscriptions").status_code == 200
        [row] = [k for k in notify.get("/v1/api-keys").json() if k["name"] == "SIEM export"]
    page = client.get("/api-keys").text
    assert key not in page and f"<code>{row['prefix']}…</code>" in page
    revoked = client.post(f"/api-keys/{row['id']}/revoke", data={"csrf_token": csrf_of(client.get("/api-keys"))})
    assert revoked.status_code == 303
    with _notify(stack, key) as notify:
        assert notify.get("/v1/subscriptions").status_code == 401
    listing = client.get("/api-keys").text
    assert re.search(rf'<tr id="{row["id"]}">.*?revoked.*?</tr>', listing, re.S)
    assert client.get("/subscriptions").status_code == 200  # the web app's own key still works


def test_the_web_apps_own_key_cannot_be_revoked_here(stack: Stack) -> None:
    client = stack.web.signed_in(stack.web.alice)
    with _notify(stack, stack.web.api_key(stack.web.alice)) as notify:
        [own] = notify.get("/v1/api-keys").json()
    page = client.get("/api-keys").text
    row = re.search(rf'<tr id="{own["id"]}">.*?</tr>', page, re.S)
    assert row and "used by this web app" in row.group(0) and "Revoke" not in row.group(0)
    refused = client.post(f"/api-keys/{own['id']}/revoke", data={"csrf_token": csrf_of(client.get("/api-keys"))})
    assert refused.status_code == 409 and "cannot be revoked here" in refused.text
    assert client.get("/subscriptions").status_code == 200


def test_another_tenants_key_is_404_and_unlisted(stack: Stack) -> None:
    alice = stack.web.signed_in(stack.web.alice)
    _create(alice, "Alice's CI")
    with _notify(stack, stack.web.api_key(stack.web.alice)) as notify:
        [ci] = [k for k in notify.get("/v1/api-keys").json() if k["name"] == "Alice's CI"]
    bob = stack.web.signed_in(stack.web.bob)
    assert "Alice&#39;s CI" not in bob.get("/api-keys").text
    assert bob.post(f"/api-keys/{ci['id']}/revoke", data={"csrf_token": csrf_of(bob.get("/"))}).status_code == 404
    assert "Alice&#39;s CI" in alice.get("/api-keys").text


def test_bad_names_csrf_and_escaping(stack: Stack) -> None:
    client = stack.web.signed_in(stack.web.alice)
    empty = _create(client, "   ")
    assert empty.status_code == 422 and 'id="f-name-error"' in empty.text
    too_long = _create(client, "x" * 101)
    assert too_long.status_code == 422 and 'id="f-name-error"' in too_long.text and "x" * 101 in too_long.text
    assert client.post("/api-keys", data={"name": "no token"}).status_code == 403
    hostile = _create(client, "<img src=x onerror=alert(1)>")
    assert "<img src=x" not in hostile.text and "&lt;img src=x onerror=alert(1)&gt;" in hostile.text
    names = [k["name"] for k in _notify(stack, stack.web.api_key(stack.web.alice)).get("/v1/api-keys").json()]
    assert names == ["default", "<img src=x onerror=alert(1)>"]
