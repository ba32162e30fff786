"""POST /v1/subscriptions/preview: the items given that the filters would match, exactly as the intake's
index matches them (names or ids, confidence floors, keywords, jurisdiction parents, amounts, the tenant's
own watchlist), stored nowhere."""

from __future__ import annotations

from typing import Any

from services.notify.matching import MatchIndex, Rule, match
from services.notify.schemas import Filters
from services.pipeline.events import AmountTag, ClassifiedItem, Evidence
from tests.notify.conftest import Api, make_item

ITEMS = [
    make_item("i-acme"),
    make_item(
        "i-bytedance",
        title="CAC summons ByteDance over voice software",
        summary="The Cyberspace Administration of China summoned ByteDance and Initech.",
        companies=[("bytedance", "ByteDance", 0.55)],
        regulators=[("cn-cac", "Cyberspace Administration of China", "CAC", "CN", 0.9)],
        actions=[("summons", 0.8)],
        jurisdictions=["CN"],
        language="zh",
    ),
    make_item(
        "i-nyc",
        title="NYDFS fines a bank",
        summary="Penalty of 30 million dollars.",
        companies=[],
        regulators=[("us-ny-dfs", "New York DFS", "NYDFS", "US-NY", 0.9)],
        jurisdictions=["US-NY"],
    ),
]
ITEMS[2].tags.amount = AmountTag(
    value="30000000", currency="USD", evidence=Evidence(text="30 million dollars", field="summary", start=11, end=28)
)

FILTERS: list[dict[str, Any]] = [
    {},
    {"companies": ["Acme Corp"]},  # a name, as notify matches it
    {"companies": ["bytedance"]},
    {"companies": ["bytedance"], "min_confidence": 0.6},  # below the floor
    {"regulators": ["CAC"], "actions": ["summons"]},
    {"jurisdictions": ["US"]},  # US-NY counts as US
    {"languages": ["zh"]},
    {"keywords": ["voice software"]},
    {"min_amount": {"value": "10000000", "currency": "USD"}},
    {"watchlist": True},
]


def _preview(api: Api, filters: dict[str, Any], items: list[ClassifiedItem] = ITEMS, tenant: str = "a") -> list[str]:
    body = {
        "filters": filters,
        "items": [
            {"item_id": i.item.item_id, "title": i.item.title, "summary": i.item.summary, **{"tags": i.tags.model_dump(mode="json")}}
            for i in items
        ],
    }  # fmt: skip
    response = api.client.post("/v1/subscriptions/preview", json=body, headers=api.auth(tenant))
    assert response.status_code == 200, response.text
    matched: list[str] = response.json()["matched"]
    return matched


def _intake(api: Api, filters: dict[str, Any], hits: dict[str, list[str]]) -> list[str]:
    """What the intake's index matches for a subscription of tenant a with these filters."""
    index = MatchIndex([Rule.from_filters("s", api.tenant_ids["a"], Filters.model_validate(filters))])
    tenant = api.tenant_ids["a"]
    # as the intake's watchlist index finds them: only tenants with an entity in the item
    found = {i.item.item_id: {tenant: hits[i.item.item_id]} if i.item.item_id in hits else {} for i in ITEMS}
    return [i.item.item_id for i in ITEMS if match(i, index, found[i.item.item_id])]


def test_the_preview_matches_what_the_intake_matches(api: Api) -> None:
    added = api.client.post("/v1/watchlists", json={"name": "Initech"}, headers=api.auth("a")).json()
    hits = {"i-bytedance": [added["id"]]}
    for filters in FILTERS:
        assert _preview(api, filters) == _intake(api, filters, hits), filters
    assert _preview(api, {"companies": ["Acme Corp"]}) == ["i-acme"]
    assert _preview(api, {"companies": ["bytedance"], "min_confidence": 0.6}) == []
    assert _preview(api, {"jurisdictions": ["US"]}) == ["i-acme", "i-nyc"]
    assert _preview(api, {"keywords": ["voice software"]}) == ["i-bytedance"]
    assert _preview(api, {"min_amount": {"value": "10000000", "currency": "USD"}}) == ["i-nyc"]
    assert _preview(api, {"watchlist": True}) == ["i-bytedance"]


def test_another_tenants_watchlist_matches_nothing(api: Api) -> None:
    added = api.client.post("/v1/watchlists", json={"name": "Initech"}, headers=api.auth("a")).json()
    assert _preview(api, {"watchlist": True}, tenant="b") == []
    refused = api.client.post(
        "/v1/subscriptions/preview",
        json={"filters": {"watchlist_entities": [added["id"]]}, "items": []},
        headers=api.auth("b"),
    )
    assert refused.status_code == 422


def test_bad_previews_are_refused(api: Api) -> None:
    post = api.client.post
    assert post("/v1/subscriptions/preview", json={"filters": {}, "items": []}).status_code == 401
    too_many = {"filters": {}, "items": [{"item_id": f"x{n}", "title": "t", "tags": {"language": "en", "classifier_version": "v"}} for n in range(501)]}  # fmt: skip
    assert post("/v1/subscriptions/preview", json=too_many, headers=api.auth("a")).status_code == 422
    bad_filter = {"filters": {"actions": ["nonsense"]}, "items": []}
    assert post("/v1/subscriptions/preview", json=bad_filter, headers=api.auth("a")).status_code == 422
    assert api.client.get("/v1/subscriptions", headers=api.auth("a")).json() == []  # nothing stored
