"""Registration fetches the URL once: a feed is registered with what was found, anything else refused unless forced."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from tests.ingest.conftest import Reply, Site, item, rss
from tests.ingest.test_api import AUTH, client_for

PAGE = b"""<!DOCTYPE html><html><head><title>Press</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="News" href="/news/rss.xml">
<link rel="alternate" type="application/atom+xml" href="https://other.example.org/atom">
</head><body>Press releases</body></html>"""


@pytest.fixture
def client(engine: Engine) -> Iterator[httpx.Client]:
    yield from client_for(engine, scheduler_tick_s=3600)  # no polling besides the registration's


def register(client: httpx.Client, url: str, **fields: object) -> httpx.Response:
    return client.post("/v1/feeds", json={"url": url, **fields}, headers=AUTH)


def listed(client: httpx.Client) -> list[str]:
    return [f["url"] for f in client.get("/v1/feeds", headers=AUTH).json()]


def test_a_feed_is_registered_with_its_title_and_items_and_fetched_once(client: httpx.Client, site: Site) -> None:
    url = site.serve("/feed.xml", Reply(200, rss([item(1), item(2), item(3)])))
    created = register(client, url)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["check"] == {"feed": True, "title": "Test wire", "items": 3, "error": None, "feeds": []}
    assert body["title"] == "Test wire"  # none given: the feed's own
    assert (body["status"]["state"], body["status"]["items_seen"]) == ("ok", 3)
    assert len(site.hits("/feed.xml")) == 1  # the check was the first poll


def test_a_404_is_refused_and_registered_only_when_forced(client: httpx.Client, site: Site) -> None:
    url = site.url("/missing.xml")  # not served: 404
    refused = register(client, url)
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {"loc": ["body", "url"], "msg": 'HTTP 404 (send "force": true to register it anyway)', "type": "not_a_feed"}
    ]
    assert listed(client) == []
    forced = register(client, url, force=True, title="Later")
    assert forced.status_code == 201, forced.text
    status = forced.json()["status"]
    assert (status["state"], status["last_error"], status["last_status_code"]) == ("error", "HTTP 404", 404)
    assert forced.json()["check"] == {"feed": False, "title": None, "items": None, "error": "HTTP 404", "feeds": []}
    assert listed(client) == [url]


def test_an_html_page_is_refused_naming_the_feeds_it_links_to(client: httpx.Client, site: Site) -> None:
    url = site.serve("/press", Reply(200, PAGE, {"Content-Type": "text/html; charset=utf-8"}))
    refused = register(client, url)
    assert refused.status_code == 422
    feeds = f"{site.url('/news/rss.xml')}, https://other.example.org/atom"
    [error] = refused.json()["detail"]
    assert error["msg"].startswith(f"an HTML page, not a feed: it links to these feeds: {feeds} (send")
    bare = site.serve("/plain", Reply(200, b"<html><body>hello</body></html>", {"Content-Type": "text/html"}))
    [error] = register(client, bare).json()["detail"]
    assert error["msg"].startswith("an HTML page, not a feed, and it links to no feed")
    forced = register(client, url, force=True).json()
    assert forced["check"]["feeds"] == [site.url("/news/rss.xml"), "https://other.example.org/atom"]
    assert listed(client) == [url]


def test_a_host_that_does_not_resolve_is_refused_as_such(client: httpx.Client) -> None:
    url = "http://feeds.nowhere.invalid/rss.xml"
    refused = register(client, url)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"].startswith("DNS resolution failed: host 'feeds.nowhere.invalid'")
    forced = register(client, url, force=True)
    assert forced.status_code == 201
    assert (forced.json()["status"]["state"], forced.json()["status"]["last_error_reason"]) == ("error", "dns")


def test_an_address_the_ssrf_policy_refuses_is_never_registered(engine: Engine, site: Site) -> None:
    for client in client_for(engine, ssrf_allow_cidrs="", scheduler_tick_s=3600):
        for force in (False, True):
            refused = register(client, site.serve("/feed.xml", Reply(200, rss([]))), force=force)
            assert refused.status_code == 422
            [error] = refused.json()["detail"]
            assert error["type"] == "url_refused" and error["msg"].startswith("blocked by SSRF policy: address")
        assert site.hits("/feed.xml") == [] and listed(client) == []
