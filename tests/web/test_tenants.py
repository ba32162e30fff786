"""The operators' tenant page against notify's real tenant API: tenants listed with their member counts, a
tenant created (its key kept by the web app, never shown), a member added and emailed a sign-in link that
works; other members get 404, forms need their CSRF token, errors stay beside the field with what was typed,
and names are escaped."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import Engine, select

from services.web.models import Member, WebTenant
from tests.ingest.test_api import TOKEN
from tests.notify.conftest import wait_for
from tests.web.conftest import TenantsStack, csrf_of, served_web_app

HOSTILE = '<b>Acme</b> & "Co"'
ESCAPED = "&lt;b&gt;Acme&lt;/b&gt; &amp; &#34;Co&#34;"


def _post(client: httpx.Client, path: str, **data: str) -> httpx.Response:
    return client.post(path, data={"csrf_token": csrf_of(client.get("/tenants")), **data})


def _notify_tenants(stack: TenantsStack) -> list[dict[str, Any]]:
    answer = stack.notify.client.get("/v1/tenants", headers={"Authorization": f"Bearer {TOKEN}"})
    tenants: list[dict[str, Any]] = answer.json()
    return tenants


def _row(page: str, tenant_id: str) -> str:
    match = re.search(rf'<tr id="{tenant_id}">(.*?)</tr>', page, re.S)
    assert match, page
    return match.group(1)


def test_members_who_are_not_operators_get_404(tenants_stack: TenantsStack) -> None:
    bob = tenants_stack.web.signed_in(tenants_stack.web.bob)
    assert 'href="/tenants"' not in bob.get("/").text
    assert bob.get("/tenants").status_code == 404
    token = csrf_of(bob.get("/"))
    assert bob.post("/tenants", data={"csrf_token": token, "name": "sneaky"}).status_code == 404
    acme = tenants_stack.notify.tenant_ids["a"]
    data = {"csrf_token": token, "email": "eve@evil.example", "tenant": acme, "operator": "1"}
    assert bob.post("/tenants/members", data=data).status_code == 404
    assert "sneaky" not in {t["name"] for t in _notify_tenants(tenants_stack)}
    with tenants_stack.web.sessions() as session:
        assert session.scalars(select(Member).where(Member.email == "eve@evil.example")).first() is None
    alice = tenants_stack.web.signed_in(tenants_stack.web.alice)
    assert 'href="/tenants"' in alice.get("/").text


def test_tenants_are_listed_with_their_member_counts(tenants_stack: TenantsStack) -> None:
    alice = tenants_stack.web.signed_in(tenants_stack.web.alice)
    page = alice.get("/tenants")
    assert page.status_code == 200
    ids = tenants_stack.notify.tenant_ids
    assert re.search(r'class="num">1<', _row(page.text, ids["a"]))  # alice
    assert re.search(r'class="num">1<', _row(page.text, ids["b"]))  # bob
    assert tenants_stack.notify.keys["a"] not in page.text  # the keys the web app acts with are never shown


def test_an_operator_creates_a_tenant_and_adds_a_member_who_can_sign_in(tenants_stack: TenantsStack) -> None:
    web, mailbox = tenants_stack.web, tenants_stack.mailbox
    alice = web.signed_in(web.alice)
    created = _post(alice, "/tenants", name=HOSTILE)
    assert created.status_code == 200, created.text
    assert f"Tenant “{ESCAPED}” created" in created.text and HOSTILE not in created.text
    [tenant] = [t for t in _notify_tenants(tenants_stack) if t["name"] == HOSTILE]
    with web.sessions() as session:
        kept = session.get(WebTenant, tenant["id"])
        assert kept is not None and kept.api_key.startswith("rak_")
        assert kept.api_key not in created.text
    assert re.search(r'class="num">0<', _row(created.text, tenant["id"]))

    added = _post(alice, "/tenants/members", email=" Carol@New.example ", tenant=tenant["id"], operator="1")
    assert added.status_code == 200, added.text
    assert f"carol@new.example is an operator of {ESCAPED}" in added.text
    assert re.search(r'class="num">1<', _row(added.text, tenant["id"]))
    wait_for(lambda: len(mailbox.messages) >= 1, "the sign-in email")
    recipients, message = mailbox.messages[0]
    assert recipients == ["carol@new.example"]
    link = re.search(r"(http://\S+/signin/\S+)", message.get_body(preferencelist=("plain",)).get_content())
    assert link
    carol = web.client()
    assert carol.post(link.group(1).removeprefix(web.url)).status_code == 303
    home = carol.get("/")
    assert "carol@new.example" in home.text and 'href="/tenants"' in home.text  # an operator, of the new tenant
    assert carol.get("/subscriptions").status_code == 200  # acting for the new tenant with its kept key


def test_errors_stay_beside_the_field_with_what_was_typed(tenants_stack: TenantsStack) -> None:
    alice = tenants_stack.web.signed_in(tenants_stack.web.alice)
    assert _post(alice, "/tenants", name="dup").status_code == 200
    again = _post(alice, "/tenants", name="dup")
    assert again.status_code == 422
    assert 'id="f-name-error">A tenant of that name exists already.' in again.text and 'value="dup"' in again.text
    blank = _post(alice, "/tenants", name="   ")
    assert blank.status_code == 422 and 'id="f-name-error">Give the tenant a name.' in blank.text
    too_long = _post(alice, "/tenants", name="x" * 201)
    assert too_long.status_code == 422 and 'id="f-name-error"' in too_long.text
    assert [t["name"] for t in _notify_tenants(tenants_stack)].count("dup") == 1

    acme = tenants_stack.notify.tenant_ids["a"]
    typed = '"><script>x</script>'
    bad = _post(alice, "/tenants/members", email=typed, tenant=acme)
    assert bad.status_code == 422 and 'id="f-email-error">not an email address' in bad.text
    assert "<script>x" not in bad.text and 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in bad.text
    taken = _post(alice, "/tenants/members", email="bob@globex.example", tenant=acme)
    assert taken.status_code == 422 and "already a member of another tenant" in taken.text
    unknown = _post(alice, "/tenants/members", email="dan@x.example", tenant="tn_nope")
    assert (
        unknown.status_code == 422 and 'id="f-tenant-error"' in unknown.text and 'value="dan@x.example"' in unknown.text
    )
    assert tenants_stack.mailbox.messages == []


def test_forms_need_their_csrf_token(tenants_stack: TenantsStack) -> None:
    alice = tenants_stack.web.signed_in(tenants_stack.web.alice)
    assert alice.post("/tenants", data={"name": "forged"}).status_code == 403
    assert "forged" not in {t["name"] for t in _notify_tenants(tenants_stack)}


def test_without_notify_s_admin_token_the_page_says_so(sqlite_web_engine: Engine) -> None:
    with served_web_app(sqlite_web_engine) as web:
        with web.sessions.begin() as session:
            member = session.get(Member, web.alice.id)
            assert member is not None
            member.operator = True
        page = web.signed_in(web.alice).get("/tenants")
        assert page.status_code == 503 and "REGALERTS_WEB_NOTIFY_ADMIN_TOKEN" in page.text
