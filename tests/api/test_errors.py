"""Error answers of the real services: one 422 shape, no input echoed, every answer in the OpenAPI document."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import Served


def test_a_refused_watchlist_change_does_not_echo_the_input(notify_api: Served) -> None:
    with httpx.Client(base_url=notify_api.url, headers=notify_api.headers) as client:
        entity = client.post("/v1/watchlists", json={"name": "Acme"}).json()
        response = client.patch(f"/v1/watchlists/{entity['id']}", json={"name": "   "})
    assert response.status_code == 422
    assert "input" not in response.text
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


@pytest.mark.parametrize("service", ["ingest_api", "notify_api"])
def test_secured_operations_document_401_and_path_parameters_404(service: str, request: pytest.FixtureRequest) -> None:
    served: Served = request.getfixturevalue(service)
    document = httpx.get(f"{served.url}/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            if operation.get("security"):
                assert "401" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if "requestBody" in operation:
                assert {"413", "422"} <= codes, (method, path)
