"""POST /v1/classify over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx

from services.classify.classifier import MAX_SUMMARY_CHARS
from services.pipeline.api import DEFAULT_MAX_BODY_BYTES

_JSON = {"content-type": "application/json"}


def test_classify_returns_the_tags(classify_api: httpx.Client) -> None:
    response = classify_api.post(
        "/v1/classify", json={"title": "La COMCO sanctionne Tencent", "summary": "Le groupe 腾讯 paiera.", "lang": "fr"}
    )
    assert response.status_code == 200
    tags = response.json()
    assert tags["language"] == "fr" and tags["jurisdictions"] == ["CH"]
    assert [c["id"] for c in tags["companies"]] == ["tencent"]
    assert [e["text"] for e in tags["companies"][0]["evidence"]] == ["Tencent", "腾讯"]
    assert tags["regulators"][0]["acronym"] == "COMCO" and tags["actions"][0]["type"] == "fine"


def test_summary_and_lang_are_optional(classify_api: httpx.Client) -> None:
    response = classify_api.post("/v1/classify", json={"title": "Die WEKO büsst die Firma"})
    assert response.status_code == 200 and response.json()["language"] == "de"


def _error(response: httpx.Response) -> str:
    assert response.status_code == 422
    return " ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in response.json()["detail"])


def test_bad_input_gets_a_clear_422(classify_api: httpx.Client) -> None:
    assert "body.title: Field required" in _error(classify_api.post("/v1/classify", json={"summary": "x"}))
    assert "body.title: Input should be a valid string" in _error(classify_api.post("/v1/classify", json={"title": 5}))
    assert "at least 1 character" in _error(classify_api.post("/v1/classify", json={"title": ""}))
    assert "body.colour: Extra inputs are not permitted" in _error(
        classify_api.post("/v1/classify", json={"title": "x", "colour": "red"})
    )
    assert "body.lang: String should match pattern" in _error(
        classify_api.post("/v1/classify", json={"title": "x", "lang": "<script>"})
    )
    assert "at most 1000 characters" in _error(classify_api.post("/v1/classify", json={"title": "x" * 1001}))
    response = classify_api.post("/v1/classify", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422 and "JSON decode error" in response.text


def test_an_oversized_body_is_refused_even_without_content_length(classify_api: httpx.Client) -> None:
    body = json.dumps({"title": "x", "summary": "y" * DEFAULT_MAX_BODY_BYTES}).encode()
    assert classify_api.post("/v1/classify", content=body, headers=_JSON).status_code == 413

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 65_536):
            yield body[start : start + 65_536]

    assert classify_api.post("/v1/classify", content=chunks(), headers=_JSON).status_code == 413


def test_the_largest_valid_item_fits_the_body_cap(classify_api: httpx.Client) -> None:
    body = json.dumps({"title": "腾" * 1000, "summary": "腾" * MAX_SUMMARY_CHARS}, ensure_ascii=True).encode()
    assert len(body) < DEFAULT_MAX_BODY_BYTES
    assert classify_api.post("/v1/classify", content=body, headers=_JSON).status_code == 200
