"""Every list endpoint pages by cursor through its Link header, and refuses out-of-range paging with a 422."""

from __future__ import annotations

import re

import httpx
import pytest

from services.web.notify_client import NotifyClient
from tests.api.conftest import Served

HUGE = "9223372036854775808"  # 2**63: past a 64-bit integer, where SQLite's driver overflowed
LISTS = {"ingest_api": ["/v1/feeds"], "notify_api": ["/v1/deliveries", "/v1/watchlists", "/v1/subscriptions"]}


def _next(response: httpx.Response) -> str | None:
    found = re.fullmatch(r'<([^>]+)>; rel="next"', response.headers.get("link", ""))
    return found.group(1) if found else None


def _walk(client: httpx.Client, path: str) -> list[str]:
    ids: list[str] = []
    url: str | None = path
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, response.text
        ids += [row["id"] for row in response.json()]
        url = _next(response)
    return ids


@pytest.mark.parametrize(("service", "path"), [(s, p) for s, paths in LISTS.items() for p in paths])
@pytest.mark.parametrize(
    "query", [f"offset={HUGE}", "offset=-1", "limit=0", "limit=501", f"limit={HUGE}", "cursor=bm9wZQ"]
)
def test_paging_out_of_range_is_a_422_naming_the_parameter(
    service: str, path: str, query: str, request: pytest.FixtureRequest
) -> None:
    served: Served = request.getfixturevalue(service)
    response = httpx.get(f"{served.url}{path}?{query}", headers=served.headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", query.split("=")[0]]


def test_watchlists_walk_by_cursor_and_the_web_client_reads_every_page(notify_api: Served) -> None:
    with httpx.Client(base_url=notify_api.url, headers=notify_api.headers) as client:
        created = [client.post("/v1/watchlists", json={"name": f"Entity {n}"}).json()["id"] for n in range(7)]
        assert _walk(client, "/v1/watchlists?limit=3") == created
        assert _walk(client, "/v1/watchlists") == created
        assert _next(client.get("/v1/watchlists?limit=7")) is None
    with NotifyClient(notify_api.url, notify_api.headers["Authorization"].removeprefix("Bearer ")) as web:
        assert [e["id"] for e in web.watchlist(page_size=3)] == created


def test_subscriptions_walk_by_cursor_and_the_web_client_reads_every_page(notify_api: Served) -> None:
    hook = {"type": "webhook", "url": "http://127.0.0.1:9/hook", "format": "json"}
    with httpx.Client(base_url=notify_api.url, headers=notify_api.headers) as client:
        created = [client.post("/v1/subscriptions", json={"name": f"s{n}", "channel": hook}) for n in range(5)]
        ids = [response.json()["id"] for response in created]
        assert _walk(client, "/v1/subscriptions?limit=2") == ids
    api_key = notify_api.headers["Authorization"].removeprefix("Bearer ")
    with NotifyClient(notify_api.url, api_key) as web:
        assert [s["id"] for s in web.subscriptions(page_size=2)] == ids


def test_feeds_walk_by_cursor_and_offset_still_works(ingest_api: Served) -> None:
    with httpx.Client(base_url=ingest_api.url, headers=ingest_api.headers) as client:
        created = [
            client.post("/v1/feeds", json={"url": f"http://127.0.0.1:9/{n}.xml", "force": True}) for n in range(5)
        ]
        ids = [response.json()["id"] for response in created]
        assert _walk(client, "/v1/feeds?limit=2") == ids
        assert [f["id"] for f in client.get("/v1/feeds?offset=3&limit=1").json()] == ids[3:4]


def test_an_empty_deliveries_page_has_no_next(notify_api: Served) -> None:
    response = httpx.get(f"{notify_api.url}/v1/deliveries", headers=notify_api.headers)
    assert response.json() == {"items": [], "next_cursor": None, "next_offset": None}
    assert "link" not in response.headers
