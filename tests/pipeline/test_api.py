"""The shared API protections, against a real uvicorn server: body cap, input-free validation errors, ASCII JSON."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import HTTPException
from pydantic import BaseModel, Field

from services.pipeline.api import service_app, unprocessable
from services.pipeline.broker import free_port

LIMIT = 10_000


class Echo(BaseModel):
    text: str = Field(max_length=5_000)
    score: float = Field(default=0.5, ge=0, le=1)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    app = service_app(title="test", max_body_bytes=LIMIT)

    @app.post("/echo")
    def echo(body: Echo) -> dict[str, object]:
        return {"text": body.text, "score": body.score}

    @app.get("/resource")
    def read_resource() -> None:
        return None

    @app.post("/resource")
    def change_resource() -> None:
        return None

    @app.post("/refuse")
    def refuse(body: Echo) -> None:
        raise HTTPException(422, detail=f"refused: {len(body.text)} characters")

    @app.post("/checked")
    def checked(body: Echo) -> None:
        try:
            Echo(text=body.text * 2)
        except ValueError as exc:
            raise unprocessable(exc) from exc

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_body_over_the_cap_is_refused_by_its_declared_length(base_url: str) -> None:
    response = httpx.post(f"{base_url}/echo", content=b"x" * (LIMIT + 1), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_chunked_body_over_the_cap_is_refused_while_it_is_read(base_url: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(50):
            yield b"y" * 1_000
        yield b'"}'

    response = httpx.post(f"{base_url}/echo", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_validation_errors_name_the_field_without_echoing_the_input(base_url: str) -> None:
    big = "z" * 9_000
    response = httpx.post(f"{base_url}/echo", json={"text": big})
    assert response.status_code == 422
    assert big[:100] not in response.text and len(response.content) < 1_000
    assert response.json()["detail"][0]["loc"] == ["body", "text"]


def test_an_infinite_number_is_a_422_not_a_500(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/echo", content=b'{"text": "a", "score": 1e999}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "score"]


def test_a_lone_surrogate_is_a_clear_422_in_ascii_json(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/echo", content=b'{"text": "a\\ud800b"}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.content.isascii()
    assert response.json()["detail"][0]["loc"] == ["body", "text"]


def test_a_422_a_route_gives_as_a_sentence_has_the_shape_of_every_422(base_url: str) -> None:
    response = httpx.post(f"{base_url}/refuse", json={"text": "abc"})
    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": ["body"], "msg": "refused: 3 characters", "type": "value_error"}]}


def test_a_model_a_route_builds_refusing_the_input_is_a_422_without_the_input(base_url: str) -> None:
    text = "secret-" + "q" * 3_000
    response = httpx.post(f"{base_url}/checked", json={"text": text})
    assert response.status_code == 422
    assert "secret-" not in response.text and "input" not in response.text
    assert response.json()["detail"][0]["loc"] == ["body", "text"]


def test_the_openapi_document_lists_the_shared_answers_in_their_shapes(base_url: str) -> None:
    document = httpx.get(f"{base_url}/openapi.json").json()
    responses = document["paths"]["/echo"]["post"]["responses"]
    assert {"200", "400", "413", "422"} <= set(responses)
    assert responses["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrors"
    }
    item = document["components"]["schemas"]["ErrorItem"]
    assert set(item["properties"]) == {"loc", "msg", "type"}
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_a_405_lists_every_method_the_path_has(base_url: str) -> None:
    response = httpx.delete(f"{base_url}/resource")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
