"""The operators' feed pages against ingest's real feed API (scheduler running): health in words, add with a
preview, OPML import and export, the catalog; other members get 404, forms need their CSRF token, and
feed-supplied strings are escaped."""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

import httpx
from sqlalchemy import Engine

from tests.ingest.conftest import Reply, item, rss
from tests.ingest.test_api import AUTH
from tests.web.conftest import FeedsStack, csrf_of, served_web_app

# Markup is stripped by ingest; what survives as text ("<3 x>y") must reach the page escaped.
HOSTILE = 'Fines < 5m & "q" <3 x>y'
ESCAPED = "Fines &lt; 5m &amp; &#34;q&#34; &lt;3 x&gt;y"


def _add(client: httpx.Client, url: str, **fields: str) -> httpx.Response:
    data = {"csrf_token": csrf_of(client.get("/feeds/new")), "url": url, "intent": "save", **fields}
    return client.post("/feeds/new", data=data)


def _ingest_feeds(stack: FeedsStack) -> list[dict[str, object]]:
    feeds: list[dict[str, object]] = httpx.get(f"{stack.ingest_url}/v1/feeds", headers=AUTH).json()
    return feeds


def test_members_who_are_not_operators_get_404(feeds_stack: FeedsStack) -> None:
    bob = feeds_stack.web.signed_in(feeds_stack.web.bob)
    assert 'href="/feeds"' not in bob.get("/").text
    for path in ("/feeds", "/feeds/new", "/feeds/catalog", "/feeds/opml"):
        assert bob.get(path).status_code == 404, path
    token = csrf_of(bob.get("/"))
    url = feeds_stack.site.serve("/feed.xml", Reply(200, rss([item(1)])))
    refused = bob.post("/feeds/new", data={"csrf_token": token, "url": url, "intent": "save"})
    assert refused.status_code == 404
    assert bob.post("/feeds/catalog", data={"csrf_token": token, "url": "https://x.example/"}).status_code == 404
    assert _ingest_feeds(feeds_stack) == []
    alice = feeds_stack.web.signed_in(feeds_stack.web.alice)
    assert 'href="/feeds"' in alice.get("/").text


def test_preview_shows_the_parsed_items_and_adds_nothing(feeds_stack: FeedsStack) -> None:
    client = feeds_stack.web.signed_in(feeds_stack.web.alice)
    url = feeds_stack.site.serve("/feed.xml", Reply(200, rss([item(1), item(2, title=HOSTILE)])))
    data = {"csrf_token": csrf_of(client.get("/feeds/new")), "url": url, "intent": "preview", "language": "en"}
    page = client.post("/feeds/new", data=data)
    assert page.status_code == 200, page.text
    assert "“Test wire”: 2 items" in page.text and "Regulator fines company 1" in page.text
    assert "<3 x>y" not in page.text and ESCAPED in page.text
    assert f'value="{url}"' in page.text and 'value="en"' in page.text  # kept as typed
    assert _ingest_feeds(feeds_stack) == []
    html = feeds_stack.site.serve(
        "/page.html", Reply(200, b"<html><body>hi</body></html>", {"Content-Type": "text/html"})
    )
    not_a_feed = client.post("/feeds/new", data={**data, "url": html}).text
    assert "Not a feed:" in not_a_feed


def test_added_feeds_show_their_health_in_words(feeds_stack: FeedsStack) -> None:
    client = feeds_stack.web.signed_in(feeds_stack.web.alice)
    good = feeds_stack.site.serve("/good.xml", Reply(200, rss([item(1), item(2), item(3)])))
    added = _add(client, good, title="Good wire", regulator="fr-cnil", jurisdiction="fr")
    assert added.status_code == 200, added.text
    assert "Added “Good wire”: 3 items found" in added.text
    gone = feeds_stack.site.serve("/gone.xml", Reply(404, b"nothing here"))
    refused = _add(client, gone)
    assert refused.status_code == 422 and "HTTP 404" in refused.text and 'name="force"' in refused.text
    assert f'value="{gone}"' in refused.text
    forced = _add(client, gone, force="1", title="Gone wire")
    assert forced.status_code == 200, forced.text
    page = client.get("/feeds").text
    rows = {title: re.search(rf"<tr id=\"feed-\w+\">\s*<th scope=\"row\">{title}.*?</tr>", page, re.S) for title in ("Good wire", "Gone wire")}  # fmt: skip
    good_row, gone_row = (rows[t].group(0) for t in ("Good wire", "Gone wire"))  # type: ignore[union-attr]
    assert '<span class="state ok">OK</span>' in good_row and '<td class="num">3</td>' in good_row
    assert "fr-cnil · FR" in good_row and '<td class="feed-error">—</td>' in good_row
    assert '<span class="state error">last poll failed</span>' in gone_row
    assert "The site refused the request (HTTP 404, not found)." in gone_row
    assert '<td class="num">0</td>' in gone_row
    assert all(f["status"]["next_poll_at"] for f in _ingest_feeds(feeds_stack))  # type: ignore[index]
    assert gone_row.count("<time ") == 2  # the last error's time and the next poll; no success yet
    duplicate = _add(client, good)
    assert duplicate.status_code == 422 and "already registered" in duplicate.text


def test_poll_now_and_pause(feeds_stack: FeedsStack) -> None:
    client = feeds_stack.web.signed_in(feeds_stack.web.alice)
    replies = [Reply(200, rss([item(1)])), Reply(500, b"down")]
    url = feeds_stack.site.serve("/flaky.xml", lambda _h: replies.pop(0) if len(replies) > 1 else replies[0])
    _add(client, url, title="Flaky")
    [feed] = _ingest_feeds(feeds_stack)
    token = csrf_of(client.get("/feeds"))
    polled = client.post(f"/feeds/{feed['id']}/poll", data={"csrf_token": token})
    assert polled.status_code == 200
    assert "Polled “Flaky”: last poll failed — The site had a server error (HTTP 500)." in polled.text
    paused = client.post(f"/feeds/{feed['id']}/enabled", data={"csrf_token": token, "enabled": "0"})
    assert paused.status_code == 303
    assert '<span class="state disabled">paused</span>' in client.get("/feeds").text
    assert client.post("/feeds/nope/poll", data={"csrf_token": token}).status_code == 404


def test_forms_without_their_csrf_token_are_refused(feeds_stack: FeedsStack) -> None:
    client = feeds_stack.web.signed_in(feeds_stack.web.alice)
    url = feeds_stack.site.serve("/feed.xml", Reply(200, rss([item(1)])))
    assert client.post("/feeds/new", data={"url": url, "intent": "save"}).status_code == 403
    opml = f'<opml version="2.0"><body><outline type="rss" text="A" xmlUrl="{url}"/></body></opml>'
    assert client.post("/feeds/opml", files={"document": ("a.opml", opml.encode())}).status_code == 403
    catalog_url = httpx.get(f"{feeds_stack.ingest_url}/v1/feeds/catalog", headers=AUTH).json()[0]["url"]
    assert client.post("/feeds/catalog", data={"url": catalog_url, "csrf_token": "x"}).status_code == 403
    assert _ingest_feeds(feeds_stack) == []


def test_opml_import_and_export(feeds_stack: FeedsStack) -> None:
    client = feeds_stack.web.signed_in(feeds_stack.web.alice)
    site = feeds_stack.site
    opml = f"""<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
      <outline type="rss" text={quoteattr(HOSTILE)} xmlUrl="{site.url("/a.xml")}"/>
      <outline type="rss" text="B" xmlUrl="gopher://example.org/"/></body></opml>"""
    token = csrf_of(client.get("/feeds"))
    imported = client.post("/feeds/opml", data={"csrf_token": token}, files={"document": ("m.opml", opml.encode())})
    assert imported.status_code == 200, imported.text
    assert "OPML imported: 1 added, 0 already registered, 1 refused." in imported.text
    assert "gopher://example.org/" in imported.text
    assert "<3 x>y" not in imported.text and ESCAPED in imported.text
    exported = client.get("/feeds/opml")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/x-opml")
    assert "attachment" in exported.headers["content-disposition"] and site.url("/a.xml") in exported.text
    bad = client.post("/feeds/opml", data={"csrf_token": token}, files={"document": ("x.opml", b"<rss/>")})
    assert bad.status_code == 422 and 'id="opml-error"' in bad.text
    empty = client.post("/feeds/opml", data={"csrf_token": token}, files={"document": ("x.opml", b"")})
    assert empty.status_code == 422 and "Choose an OPML file." in empty.text


def test_catalog_adds_the_ticked_feeds(feeds_stack: FeedsStack) -> None:
    client = feeds_stack.web.signed_in(feeds_stack.web.alice)
    page = client.get("/feeds/catalog")
    urls = re.findall(r'<input type="checkbox" name="url" value="([^"]+)"', page.text)
    assert len(urls) >= 40
    added = client.post("/feeds/catalog", data={"csrf_token": csrf_of(page), "url": urls[:2]})
    assert added.status_code == 200 and "2 added" in added.text
    assert added.text.count('<span class="status delivered">added</span>') == 2
    assert {f["url"] for f in _ingest_feeds(feeds_stack)} == set(urls[:2])
    nothing = client.post("/feeds/catalog", data={"csrf_token": csrf_of(page)})
    assert nothing.status_code == 422 and "Tick at least one feed" in nothing.text


def test_without_ingest_settings_the_pages_say_so(sqlite_web_engine: Engine) -> None:
    with served_web_app(sqlite_web_engine) as web:
        with web.sessions.begin() as session:
            from services.web.models import Member

            member = session.get(Member, web.alice.id)
            assert member is not None
            member.operator = True
        page = web.signed_in(web.alice).get("/feeds")
        assert page.status_code == 503 and "REGALERTS_WEB_INGEST_ADMIN_TOKEN" in page.text
