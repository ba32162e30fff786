"""Watchlists in the web app against notify's real API: add, edit in place, remove; errors beside their
field with what was typed; another tenant's entity is 404; forms need their CSRF token; names are escaped."""

from __future__ import annotations

import re

import httpx

from tests.web.conftest import Stack, csrf_of


def test_watchlist_add_list_remove_and_isolation(stack: Stack) -> None:
    alice, bob = stack.web.signed_in(stack.web.alice), stack.web.signed_in(stack.web.bob)
    token = csrf_of(alice.get("/watchlists"))
    added = alice.post(
        "/watchlists",
        data={"csrf_token": token, "name": "Initech", "aliases": "Initech AG, 英泰克", "kind": "organisation"},
    )
    assert added.status_code == 303
    page = alice.get("/watchlists").text
    assert "Initech" in page and "Initech AG, 英泰克" in page
    assert "Initech" not in bob.get("/watchlists").text
    empty = alice.post("/watchlists", data={"csrf_token": token, "name": " ", "aliases": "kept"})
    assert empty.status_code == 422 and 'id="w-name-error"' in empty.text and 'value="kept"' in empty.text
    entity = re.search(r'action="/watchlists/(\w+)/delete"', page)
    assert entity
    bobs_token = csrf_of(bob.get("/watchlists"))
    assert bob.post(f"/watchlists/{entity.group(1)}/delete", data={"csrf_token": bobs_token}).status_code == 404
    assert alice.post(f"/watchlists/{entity.group(1)}/delete", data={"csrf_token": token}).status_code == 303
    assert "Initech AG" not in alice.get("/watchlists").text


def _add(client: httpx.Client, name: str, aliases: str = "") -> str:
    token = csrf_of(client.get("/watchlists"))
    added = client.post(
        "/watchlists", data={"csrf_token": token, "name": name, "aliases": aliases, "kind": "organisation"}
    )
    assert added.status_code == 303, added.text
    found = re.search(rf'<tr id="(\w+)"><td>{re.escape(name)}</td>', client.get("/watchlists").text)
    assert found
    return found.group(1)


def test_an_entity_is_edited_in_place(stack: Stack) -> None:
    alice = stack.web.signed_in(stack.web.alice)
    entity = _add(alice, "Initech", "Initech AG")
    editing = alice.get("/watchlists", params={"edit": entity})
    row = re.search(rf'<tr id="{entity}" class="editing">.*?</tr>', editing.text, re.S)
    assert row and 'value="Initech AG"' in row.group(0) and f'form="edit-{entity}"' in row.group(0)
    token = csrf_of(editing)
    data = {"csrf_token": token, "name": "Initech Group", "aliases": "Initech AG, 英泰克, INTC", "kind": "product"}
    saved = alice.post(f"/watchlists/{entity}", data=data)
    assert saved.status_code == 303 and saved.headers["location"] == f"/watchlists#{entity}"
    page = alice.get("/watchlists").text
    assert f'<tr id="{entity}"><td>Initech Group</td><td>Initech AG, 英泰克, INTC</td><td>product</td>' in page
    with httpx.Client(base_url=stack.web.settings.web_notify_url) as notify:  # notify holds the change
        key = stack.web.api_key(stack.web.alice)
        entity_json = notify.get(f"/v1/watchlists/{entity}", headers={"Authorization": f"Bearer {key}"}).json()
    assert (entity_json["name"], entity_json["aliases"], entity_json["kind"]) == (
        "Initech Group", ["Initech AG", "英泰克", "INTC"], "product",
    )  # fmt: skip


def test_a_bad_edit_is_shown_in_the_row_with_what_was_typed(stack: Stack) -> None:
    alice = stack.web.signed_in(stack.web.alice)
    entity = _add(alice, "Initech")
    token = csrf_of(alice.get("/watchlists"))
    empty = alice.post(
        f"/watchlists/{entity}", data={"csrf_token": token, "name": " ", "aliases": "typed", "kind": "organisation"}
    )
    assert empty.status_code == 422
    row = re.search(rf'<tr id="{entity}" class="editing">.*?</tr>', empty.text, re.S)
    assert row and 'id="e-name-error"' in row.group(0) and 'value="typed"' in row.group(0)
    assert 'id="w-name-error"' not in empty.text  # the add form is left alone
    refused = alice.post(f"/watchlists/{entity}", data={"csrf_token": token, "name": "x", "kind": "planet"})
    assert refused.status_code == 422 and "e-kind" in refused.text and 'class="field-error"' in refused.text
    assert "Initech" in alice.get("/watchlists").text  # unchanged


def test_another_tenants_entity_cannot_be_seen_or_edited(stack: Stack) -> None:
    entity = _add(stack.web.signed_in(stack.web.alice), "Initech")
    bob = stack.web.signed_in(stack.web.bob)
    assert bob.get("/watchlists", params={"edit": entity}).status_code == 404
    token = csrf_of(bob.get("/watchlists"))
    data = {"csrf_token": token, "name": "Mine now", "kind": "organisation"}
    assert bob.post(f"/watchlists/{entity}", data=data).status_code == 404
    alice = stack.web.signed_in(stack.web.alice)
    assert alice.post(f"/watchlists/{entity}", data={"name": "No token", "kind": "organisation"}).status_code == 403
    assert "Initech" in alice.get("/watchlists").text and "Mine now" not in alice.get("/watchlists").text


def test_names_are_escaped_in_the_row_and_its_form(stack: Stack) -> None:
    alice = stack.web.signed_in(stack.web.alice)
    hostile = '"><script>alert(1)</script>'
    entity = _add(alice, "Initech", hostile)
    for page in (alice.get("/watchlists").text, alice.get("/watchlists", params={"edit": entity}).text):
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
