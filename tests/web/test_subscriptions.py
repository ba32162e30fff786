"""Subscriptions and deliveries in the web app, against notify's real API (served locally) and a real
delivery worker: create with a preview, errors beside their field, pause/resume, test-send, secret
rotation, deliveries with retry, and another tenant's ids answering 404."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine

from services.web import preview
from services.web.readmodel import record_attempt
from tests.notify.conftest import Receiver, wait_for
from tests.web.conftest import CHINESE, Stack, classified, csrf_of, served_web_app


def _form(client: httpx.Client, **fields: str | list[str]) -> dict[str, str | list[str]]:
    base: dict[str, str | list[str]] = {"csrf_token": csrf_of(client.get("/subscriptions/new")), "channel": "webhook"}
    return {**base, "mode": "instant", **fields}


def _create(client: httpx.Client, url: str, name: str = "Tencent fines", **fields: str | list[str]) -> str:
    page = client.post("/subscriptions/new", data=_form(client, name=name, url=url, intent="save", **fields))
    assert page.status_code in (200, 303), page.text
    listing = client.get("/subscriptions").text
    found = re.search(rf'href="/subscriptions/(sub_\w+)/edit">{re.escape(name)}<', listing)
    assert found, listing
    return found.group(1)


def test_preview_shows_what_the_filters_would_have_matched(stack: Stack, receiver: Receiver) -> None:
    client = stack.web.signed_in(stack.web.alice)
    form = _form(client, name="Tencent", companies="tencent", actions=["fine"], intent="preview", url=receiver.url)
    page = client.post("/subscriptions/new", data=form).text
    assert "1 item in the last 30 days" in page and "腾讯" in page and "CNIL" not in page
    assert 'value="tencent"' in page and 'value="fine" checked' in page  # kept as typed
    both = client.post("/subscriptions/new", data={**form, "companies": "tencent, google"}).text
    assert "2 items in the last 30 days" in both
    words = client.post("/subscriptions/new", data={**form, "companies": "", "keywords": "amende, disclosures"}).text
    assert "CNIL inflige" in words and "SEC fines" in words and "腾讯" not in words


def test_creating_a_webhook_shows_its_secret_once(stack: Stack, receiver: Receiver) -> None:
    client = stack.web.signed_in(stack.web.alice)
    created = client.post(
        "/subscriptions/new", data=_form(client, name="ByteDance", url=receiver.url + "/hook", intent="save")
    )
    secret = re.search(r'<code id="secret">(whsec_[^<]+)</code>', created.text)
    assert secret, created.text
    listing = client.get("/subscriptions").text
    assert "ByteDance" in listing and secret.group(1) not in listing


def test_errors_are_shown_beside_their_field_with_what_was_typed(stack: Stack) -> None:
    client = stack.web.signed_in(stack.web.alice)
    refused = client.post("/subscriptions/new", data=_form(client, name="x", url="http://10.1.2.3/hook", intent="save"))
    assert refused.status_code == 422 and "webhook URL refused" in refused.text
    assert 'value="http://10.1.2.3/hook"' in refused.text
    nameless = client.post("/subscriptions/new", data=_form(client, name="", url="https://h.example/x", intent="save"))
    assert nameless.status_code == 422 and 'id="f-name-error"' in nameless.text
    email = client.post(
        "/subscriptions/new", data=_form(client, name="m", channel="email", addresses="not-an-address", intent="save")
    )
    assert email.status_code == 422 and "not an email address" in email.text and "not-an-address" in email.text
    assert "<td>" not in client.get("/subscriptions").text  # nothing was created


def test_pause_resume_test_send_and_rotate(stack: Stack, receiver: Receiver) -> None:
    client = stack.web.signed_in(stack.web.alice)
    sub = _create(client, receiver.url + "/hook")
    token = csrf_of(client.get("/subscriptions"))
    client.post(f"/subscriptions/{sub}/pause", data={"csrf_token": token, "paused": "1"})
    assert ">paused<" in client.get("/subscriptions").text
    client.post(f"/subscriptions/{sub}/pause", data={"csrf_token": token, "paused": "0"})
    assert ">active<" in client.get("/subscriptions").text
    sent = client.post(f"/subscriptions/{sub}/test", data={"csrf_token": token}).text
    assert "Test alert delivered (HTTP 200)" in sent and receiver.on("/hook")
    receiver.answer("/hook", 500)
    failed = client.post(f"/subscriptions/{sub}/test", data={"csrf_token": token}).text
    assert "Test alert not delivered (HTTP 500)" in failed
    rotated = client.post(f"/subscriptions/{sub}/rotate-secret", data={"csrf_token": token}).text
    assert re.search(r'<code id="secret">whsec_', rotated) and "previous secret keeps signing" in rotated


def test_editing_keeps_and_changes_the_subscription(stack: Stack, receiver: Receiver) -> None:
    client = stack.web.signed_in(stack.web.alice)
    sub = _create(client, receiver.url + "/hook", companies="tencent")
    edit = client.get(f"/subscriptions/{sub}/edit").text
    assert 'value="tencent"' in edit and f'value="{receiver.url}/hook"' in edit
    form = _form(client, name="Tencent or Google", companies="tencent, google", url=receiver.url + "/hook")
    assert client.post(f"/subscriptions/{sub}/edit", data={**form, "intent": "save"}).status_code == 303
    assert "companies: tencent, google" in client.get("/subscriptions").text


def test_a_failed_delivery_is_retried_from_its_page(stack: Stack, receiver: Receiver) -> None:
    client = stack.web.signed_in(stack.web.alice)
    sub = _create(client, receiver.url + "/hook", companies="tencent")
    receiver.answer("/hook", 500, 500, 500, 500)
    stack.notify.intake.ingest(CHINESE)
    wait_for(lambda: any(a.outcome == "dead" for a in stack.notify.published), "the delivery to give up")
    page = client.get(f"/subscriptions/{sub}/deliveries")
    assert ">dead<" in page.text and "HTTP 500" in page.text
    delivery = re.search(r'action="/deliveries/(\w+)/retry"', page.text)
    assert delivery
    retried = client.post(f"/deliveries/{delivery.group(1)}/retry", data={"csrf_token": csrf_of(page)})
    assert retried.status_code == 303
    wait_for(lambda: any(a.outcome == "delivered" for a in stack.notify.published), "the retry to be delivered")
    assert ">delivered<" in client.get(f"/subscriptions/{sub}/deliveries").text


def test_another_tenants_subscriptions_and_deliveries_are_404(stack: Stack, receiver: Receiver) -> None:
    alice, bob = stack.web.signed_in(stack.web.alice), stack.web.signed_in(stack.web.bob)
    sub = _create(alice, receiver.url + "/hook", companies="tencent")
    stack.notify.intake.ingest(CHINESE)
    wait_for(lambda: stack.notify.published, "a delivery")
    delivery = stack.notify.published[0].delivery_id
    token = csrf_of(bob.get("/subscriptions"))
    assert "Tencent fines" not in bob.get("/subscriptions").text
    assert bob.get(f"/subscriptions/{sub}/edit").status_code == 404
    assert bob.get(f"/subscriptions/{sub}/deliveries").status_code == 404
    assert bob.post(f"/subscriptions/{sub}/pause", data={"csrf_token": token, "paused": "1"}).status_code == 404
    assert bob.post(f"/subscriptions/{sub}/test", data={"csrf_token": token}).status_code == 404
    assert bob.post(f"/deliveries/{delivery}/retry", data={"csrf_token": token}).status_code == 404
    assert alice.post(f"/subscriptions/{sub}/pause", data={"csrf_token": token, "paused": "1"}).status_code == 403


def test_lookup_finds_entities_by_any_name_through_classify(stack: Stack) -> None:
    client = stack.web.signed_in(stack.web.alice)
    found = client.get("/lookup", params={"q": "腾讯", "kind": "company"}).json()
    assert found[0]["id"] == "tencent" and "Tencent" in found[0]["label"] and "腾讯" in found[0]["label"]
    assert client.get("/lookup", params={"q": "腾讯", "kind": "regulator"}).json() == []
    assert stack.web.client().get("/lookup", params={"q": "x"}).status_code == 303  # members only


def test_lookup_answers_nothing_when_classify_is_unreachable(sqlite_web_engine: Engine) -> None:
    with served_web_app(sqlite_web_engine, web_classify_url="http://127.0.0.1:9") as web:
        client = web.signed_in(web.alice)
        assert client.get("/lookup", params={"q": "腾讯", "kind": "company"}).json() == []


def test_the_item_page_names_the_subscriptions_that_received_it(stack: Stack, receiver: Receiver) -> None:
    client = stack.web.signed_in(stack.web.alice)
    sub = _create(client, receiver.url + "/hook", companies="tencent")
    stack.notify.intake.ingest(CHINESE)
    wait_for(lambda: any(a.outcome == "delivered" for a in stack.notify.published), "the delivery")
    with stack.web.sessions.begin() as session:  # what the web app's consumer records from the topic
        for attempt in stack.notify.published:
            record_attempt(session, attempt)
    pk = re.search(r'href="/items/(\d+)"', client.get("/", params={"q": "罚款"}).text)
    assert pk
    page = client.get(f"/items/{pk.group(1)}").text
    assert f'<a href="/subscriptions/{sub}/deliveries">Tencent fines</a>' in page
    assert "Tencent fines" not in stack.web.signed_in(stack.web.bob).get(f"/items/{pk.group(1)}").text


def test_the_preview_is_notifys_matching_over_the_whole_30_days(stack: Stack, receiver: Receiver) -> None:
    now = datetime.now(UTC)
    noise = [
        classified(f"noise-{n}", f"SEC fines firm {n}", regulators=[("sec", "SEC", "US", "SEC")], published_at=now - timedelta(minutes=n))
        for n in range(600)
    ]  # fmt: skip
    tencent = [("tencent", "Tencent", "Tencent")]
    older = classified("zh-20d", "Tencent fined again", companies=tencent, published_at=now - timedelta(days=20))
    too_old = classified("zh-40d", "Tencent fined long ago", companies=tencent, published_at=now - timedelta(days=40))
    stack.web.record(*noise, older, too_old)
    client = stack.web.signed_in(stack.web.alice)
    # a company typed by name matches as notify matches it (the read model indexes ids only)
    form = _form(client, name="Tencent", companies="Tencent", intent="preview", url=receiver.url)
    page = client.post("/subscriptions/new", data=form).text
    assert "2 items in the last 30 days:" in page, page
    assert "Tencent fined again" in page and "腾讯" in page and "long ago" not in page


def test_a_preview_that_stops_early_says_among_how_many(
    stack: Stack, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preview, "PAGE", 100)
    monkeypatch.setattr(preview, "MAX_SCANNED", 200)
    now = datetime.now(UTC)
    stack.web.record(
        *(classified(f"n-{n}", f"Notice {n}", published_at=now - timedelta(minutes=n)) for n in range(250))
    )
    client = stack.web.signed_in(stack.web.alice)
    form = _form(client, name="None", companies="nobody-at-all", intent="preview", url=receiver.url)
    page = client.post("/subscriptions/new", data=form).text
    assert "Nothing in the last 30 days would have matched among the newest 200 items." in page
    everything = client.post("/subscriptions/new", data={**form, "companies": ""}).text
    assert "20+ items in the last 30 days:" in everything  # enough found: no scope to state
