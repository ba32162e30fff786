"""The feed API in-process with the scheduler running: auth, registration checks, status, poll now, OPML."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, select, update

from services.ingest.main import build_service
from services.ingest.models import Item
from services.ingest.scheduler import Scheduler
from tests.ingest.conftest import Reply, Site, item, make_settings, rss

TOKEN = "secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def client_for(engine: Engine, **overrides: Any) -> Iterator[httpx.Client]:
    """The ingest app under uvicorn on a free port, with its scheduler running (not its publisher)."""
    url = engine.url.render_as_string(hide_password=False)
    service = build_service(make_settings(url, **overrides))
    scheduler = service.workers[0]
    assert isinstance(scheduler, Scheduler)
    threading.Thread(target=scheduler.run, daemon=True).start()
    assert scheduler.wait_started()
    server = uvicorn.Server(uvicorn.Config(service.app, host="127.0.0.1", port=0, log_config=None, lifespan="off"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        scheduler.stop()


@pytest.fixture
def client(engine: Engine) -> Iterator[httpx.Client]:
    # A long tick: polls in these tests happen only when asked for.
    yield from client_for(engine, scheduler_tick_s=3600)


def test_without_an_admin_token_the_api_refuses_everything(engine: Engine) -> None:
    for client in client_for(engine, admin_token=""):
        response = client.get("/v1/feeds", headers=AUTH)
        assert response.status_code == 503
        assert "REGALERTS_ADMIN_TOKEN" in response.json()["detail"]
        assert client.get("/healthz").status_code == 200


def test_wrong_or_missing_token_is_401(client: httpx.Client) -> None:
    assert client.get("/v1/feeds").status_code == 401
    assert client.get("/v1/feeds", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.post("/v1/feeds", json={"url": "http://127.0.0.1/x"}).status_code == 401


def test_register_read_change_delete(client: httpx.Client, site: Site) -> None:
    url = site.serve("/feed.xml", Reply(200, rss([item(1)])))
    created = client.post(
        "/v1/feeds",
        json={"url": url, "title": "Wire", "regulator": "us-sec", "jurisdiction": "us", "language": "en"},
        headers=AUTH,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["url"], body["title"], body["jurisdiction"], body["enabled"]) == (url, "Wire", "US", True)
    assert body["status"]["state"] == "ok" and body["status"]["items_seen"] == 1
    assert body["check"] == {"feed": True, "title": "Test wire", "items": 1, "error": None, "feeds": []}
    feed_id = body["id"]
    duplicate = client.post("/v1/feeds", json={"url": url}, headers=AUTH)
    assert duplicate.status_code == 409 and duplicate.json()["detail"]["id"] == feed_id
    assert [f["id"] for f in client.get("/v1/feeds", headers=AUTH).json()] == [feed_id]
    patched = client.patch(f"/v1/feeds/{feed_id}", json={"poll_interval_s": 120, "enabled": False}, headers=AUTH)
    assert patched.status_code == 200
    assert (patched.json()["poll_interval_s"], patched.json()["status"]["state"]) == (120, "disabled")
    assert client.patch(f"/v1/feeds/{feed_id}", json={"poll_interval_s": 0.5}, headers=AUTH).status_code == 422
    assert client.delete(f"/v1/feeds/{feed_id}", headers=AUTH).status_code == 204
    assert client.get(f"/v1/feeds/{feed_id}", headers=AUTH).status_code == 404


def test_one_feed_per_normalised_url_and_a_deleted_feed_comes_back(client: httpx.Client, site: Site) -> None:
    url = site.serve("/file/f1.xml", Reply(200, rss([item(1)])))
    feed_id = client.post("/v1/feeds", json={"url": url}, headers=AUTH).json()["id"]
    for spelling in (url.replace("http://", "HTTP://") + "#frag", url + "?utm_source=x"):
        duplicate = client.post("/v1/feeds", json={"url": spelling}, headers=AUTH)
        assert duplicate.status_code == 409, spelling
        assert duplicate.json()["detail"] == {"message": f"feed already registered as {feed_id}", "id": feed_id}
    assert client.delete(f"/v1/feeds/{feed_id}", headers=AUTH).status_code == 204
    assert client.get("/v1/feeds", headers=AUTH).json() == []
    assert client.post(f"/v1/feeds/{feed_id}/poll", headers=AUTH).status_code == 404
    again = client.post("/v1/feeds", json={"url": url + "#again"}, headers=AUTH)
    assert again.status_code == 201 and (again.json()["id"], again.json()["url"]) == (feed_id, url)


def test_a_null_title_is_refused_and_null_hints_are_cleared(client: httpx.Client, site: Site) -> None:
    url = site.serve("/feed.xml", Reply(200, rss([item(1)])))
    feed_id = client.post("/v1/feeds", json={"url": url, "title": "Wire", "regulator": "x"}, headers=AUTH).json()["id"]
    refused = client.patch(f"/v1/feeds/{feed_id}", json={"title": None}, headers=AUTH)
    assert refused.status_code == 422
    assert "title cannot be null" in refused.text
    cleared = client.patch(f"/v1/feeds/{feed_id}", json={"regulator": None}, headers=AUTH)
    assert cleared.status_code == 200
    assert (cleared.json()["title"], cleared.json()["regulator"]) == ("Wire", None)


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "http://user:pw@127.0.0.1/feed", "not a url"])
def test_bad_urls_are_refused_at_registration(client: httpx.Client, url: str) -> None:
    response = client.post("/v1/feeds", json={"url": url}, headers=AUTH)
    assert response.status_code == 422
    assert "refused" in response.text


def test_private_addresses_are_refused_without_the_allow_list(engine: Engine, site: Site) -> None:
    for client in client_for(engine, ssrf_allow_cidrs=""):
        for url in (site.url("/feed.xml"), "http://10.0.0.1/feed", "http://169.254.169.254/latest/meta-data/"):
            response = client.post("/v1/feeds", json={"url": url}, headers=AUTH)
            assert response.status_code == 422, url
            assert "not public" in response.text or "metadata" in response.text


def test_poll_now_polls_at_once_and_reports_status(client: httpx.Client, site: Site) -> None:
    url = site.serve("/feed.xml", Reply(200, rss([item(1), item(2)]), {"ETag": '"e"'}))
    feed_id = client.post("/v1/feeds", json={"url": url}, headers=AUTH).json()["id"]
    polled = client.post(f"/v1/feeds/{feed_id}/poll", headers=AUTH)
    assert polled.status_code == 200
    status = polled.json()["status"]
    assert status["items_seen"] == 2 and status["last_status_code"] == 200
    assert status["last_success_at"] is not None and status["consecutive_failures"] == 0
    registration, poll = site.hits("/feed.xml")  # the registration's fetch was the first poll
    assert "if-none-match" not in registration and poll["if-none-match"] == '"e"'
    assert client.post("/v1/feeds/nope/poll", headers=AUTH).status_code == 404


def test_opml_import_and_export(client: httpx.Client, site: Site) -> None:
    opml = f"""<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
      <outline text="Folder"><outline type="rss" text="A" xmlUrl="{site.url("/a.xml")}" regulator="gb-fca"
        jurisdiction="GB"/></outline>
      <outline type="rss" text="B" title="Bee" xmlUrl="{site.url("/b.xml")}"/>
      <outline type="rss" text="Bad" xmlUrl="gopher://example.org/"/>
      <outline text="no url"/></body></opml>"""
    imported = client.post("/v1/feeds/opml", content=opml.encode(), headers=AUTH)
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 2
    assert [r["url"] for r in imported.json()["refused"]] == ["", "gopher://example.org/"]
    assert imported.json()["refused"][0]["error"] == "outline 'no url' has no xmlUrl"
    again = client.post("/v1/feeds/opml", content=opml.encode(), headers=AUTH).json()
    assert (again["created"], again["existing"]) == (0, 2)
    assert [s["url"] for s in again["skipped"]] == [site.url("/a.xml"), site.url("/b.xml")]
    exported = client.get("/v1/feeds/opml", headers=AUTH)
    assert exported.headers["content-type"].startswith("text/x-opml")
    text = exported.text
    assert site.url("/a.xml") in text and 'regulator="gb-fca"' in text and 'title="Bee"' in text


def test_hostile_opml_is_refused(client: httpx.Client) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><opml><body/></opml>'
    assert client.post("/v1/feeds/opml", content=bomb, headers=AUTH).status_code == 422
    assert client.post("/v1/feeds/opml", content=b"<rss/>", headers=AUTH).status_code == 422
    assert client.post("/v1/feeds/opml", content=b"<opml", headers=AUTH).status_code == 422


def test_concurrent_registrations_of_one_url_give_one_feed_and_conflicts(client: httpx.Client, site: Site) -> None:
    url = site.serve("/race.xml", Reply(200, rss([item(1)])))
    statuses: list[int] = []

    def register() -> None:
        statuses.append(client.post("/v1/feeds", json={"url": url}, headers=AUTH).status_code)

    threads = [threading.Thread(target=register) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 7
    assert [f["url"] for f in client.get("/v1/feeds", headers=AUTH).json()].count(url) == 1


def test_status_counts_the_items_first_seen_in_the_last_7_days(
    client: httpx.Client, site: Site, engine: Engine
) -> None:
    url = site.serve("/feed.xml", Reply(200, rss([item(1), item(2), item(3)])))
    feed_id = client.post("/v1/feeds", json={"url": url}, headers=AUTH).json()["id"]
    with engine.begin() as connection:  # one item was first seen 8 days ago
        old = datetime.now(UTC) - timedelta(days=8)
        first = connection.execute(select(Item.id).where(Item.feed_id == feed_id).limit(1)).scalar_one()
        connection.execute(update(Item).where(Item.id == first).values(first_seen_at=old))
    status = client.get(f"/v1/feeds/{feed_id}", headers=AUTH).json()["status"]
    assert (status["items_seen"], status["items_last_7_days"]) == (3, 2)
    assert client.get("/v1/feeds", headers=AUTH).json()[0]["status"]["items_last_7_days"] == 2


def test_preview_parses_the_feed_and_registers_nothing(client: httpx.Client, site: Site) -> None:
    url = site.serve("/feed.xml", Reply(200, rss([item(1), item(2, title="<b>Bold</b> &amp; fine")])))
    preview = client.post("/v1/feeds/preview", json={"url": url + "#x"}, headers=AUTH)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["url"] == url and body["check"]["feed"] is True and body["check"]["items"] == 2
    assert [i["title"] for i in body["items"]] == ["Regulator fines company 1", "Bold & fine"]
    assert body["items"][0]["link"] == "https://news.example.org/1"
    assert client.get("/v1/feeds", headers=AUTH).json() == []
    html = client.post(
        "/v1/feeds/preview", json={"url": site.serve("/page", Reply(200, b"<html>hi</html>"))}, headers=AUTH
    )
    assert html.status_code == 200 and html.json()["check"]["feed"] is False and html.json()["items"] == []
    assert html.json()["check"]["error"]
    assert client.post("/v1/feeds/preview", json={"url": "ftp://example.org/"}, headers=AUTH).status_code == 422
    feed_id = client.post("/v1/feeds", json={"url": url}, headers=AUTH).json()["id"]
    again = client.post("/v1/feeds/preview", json={"url": url}, headers=AUTH)
    assert again.status_code == 409 and again.json()["detail"]["id"] == feed_id
    assert client.post("/v1/feeds/preview", json={"url": url}).status_code == 401


def test_catalog_lists_entries_and_registers_the_chosen_ones(client: httpx.Client) -> None:
    entries = client.get("/v1/feeds/catalog", headers=AUTH).json()
    assert len(entries) >= 40 and all(e["feed_id"] is None for e in entries)
    chosen = [entries[0]["url"], entries[1]["url"]]
    report = client.post("/v1/feeds/catalog", json={"urls": [*chosen, "https://example.org/x"]}, headers=AUTH).json()
    assert report["created"] == 2
    assert report["refused"] == [{"url": "https://example.org/x", "error": "not in the catalog"}]
    registered = {f["url"]: f["id"] for f in client.get("/v1/feeds", headers=AUTH).json()}
    listed = {e["url"]: e["feed_id"] for e in client.get("/v1/feeds/catalog", headers=AUTH).json()}
    assert {url: listed[url] for url in chosen} == {url: registered[url] for url in chosen}
    assert sum(1 for feed_id in listed.values() if feed_id) == 2
    assert client.post("/v1/feeds/catalog", json={}, headers=AUTH).json()["created"] == len(entries) - 2
