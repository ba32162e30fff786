"""GET /v1/entities and POST /v1/entities/resolve: the knowledge base's companies and regulators by any name."""

from __future__ import annotations

import httpx

from services.classify.classifier import Classifier
from services.classify.kb import Company, KnowledgeBase
from services.classify.lookup import EntityIndex


def _names(response: httpx.Response) -> list[tuple[str, str, str | None, str]]:
    assert response.status_code == 200, response.text
    return [(e["name"], e["kind"], e["jurisdiction"], e["matched"]) for e in response.json()]


def test_search_finds_any_name_alias_or_local_script_name(classify_api: httpx.Client) -> None:
    assert _names(classify_api.get("/v1/entities", params={"q": "腾讯"})) == [("Tencent", "company", "CN", "腾讯")]
    assert _names(classify_api.get("/v1/entities", params={"q": "騰訊"}))[0][0] == "Tencent"  # traditional script
    assert _names(classify_api.get("/v1/entities", params={"q": "cac", "kind": "regulator"})) == [
        ("Cyberspace Administration of China", "regulator", "CN", "CAC")
    ]
    assert _names(classify_api.get("/v1/entities", params={"q": "Bytedanse"})) == [
        ("ByteDance", "company", "CN", "ByteDance")
    ]  # a close spelling


def test_search_ranks_exact_then_prefix_then_word_then_substring_then_close() -> None:
    names = ["Compost Co", "Poost", "Swiss Post", "Postbank", "Post", "Unrelated"]
    kb = KnowledgeBase(companies={name.lower(): Company(id=name.lower(), name=name) for name in names})
    index = EntityIndex(kb)
    assert [e.name for e in index.search("post")] == ["Post", "Postbank", "Swiss Post", "Compost Co", "Poost"]
    assert [e.name for e in index.search("post", limit=2)] == ["Post", "Postbank"]
    assert index.search("post", kind="regulator") == [] and index.search(" ,. ") == []


def test_search_keeps_each_entity_once_and_filters_by_kind(classify_api: httpx.Client) -> None:
    found = _names(classify_api.get("/v1/entities", params={"q": "post", "kind": "company"}))
    assert found == [("Deutsche Post", "company", "DE", "Post"), ("Swiss Post", "company", "CH", "Post")]
    prefixed = _names(classify_api.get("/v1/entities", params={"q": "tenc"}))
    assert prefixed == [("Tencent", "company", "CN", "Tencent")]  # its many names starting "tenc" count once
    assert _names(classify_api.get("/v1/entities", params={"q": "Tencent", "kind": "regulator"})) == []
    assert len(classify_api.get("/v1/entities", params={"q": "a", "limit": 2}).json()) == 2


def test_resolve_names_exactly_and_suggests_the_closest(classify_api: httpx.Client) -> None:
    body = {"names": ["腾讯", "tencent holdings", "Bytedanse", "Nothing Like Any Name"], "kind": "company"}
    response = classify_api.post("/v1/entities/resolve", json=body)
    assert response.status_code == 200, response.text
    tencent, alias, typo, unknown = response.json()
    assert tencent["entity"]["id"] == "tencent" and tencent["suggestions"] == []
    assert alias["entity"]["name"] == "Tencent" and alias["entity"]["matched"] == "Tencent Holdings"
    assert typo["entity"] is None and [s["name"] for s in typo["suggestions"]] == ["ByteDance"]
    assert unknown == {"name": "Nothing Like Any Name", "entity": None, "suggestions": []}
    regulator = classify_api.post("/v1/entities/resolve", json={"names": ["CAC"], "kind": "regulator"}).json()
    assert regulator[0]["entity"]["acronyms"] == ["CAC"] and regulator[0]["entity"]["jurisdiction"] == "CN"


def test_bad_lookups_get_a_clear_422(classify_api: httpx.Client) -> None:
    for params in ({}, {"q": ""}, {"q": "x", "kind": "planet"}, {"q": "x", "limit": 0}, {"q": "x" * 201}):
        assert classify_api.get("/v1/entities", params=params).status_code == 422, params
    for body in ({"names": []}, {"names": ["x"] * 1001}, {"names": [""]}, {"names": ["x"], "other": 1}):
        assert classify_api.post("/v1/entities/resolve", json=body).status_code == 422


def test_the_real_knowledge_base_is_searchable(real_classifier: Classifier) -> None:
    index = EntityIndex(real_classifier.kb)
    assert index.search("腾讯", limit=1)[0].id == "tencent"
    assert index.resolve("Bytedanse", kind="company").suggestions[0].id == "bytedance"
    assert index.resolve("Facebook", kind="company").entity is not None
