"""Subscription filters naming companies or regulators the knowledge base does not carry are saved with a
warning, checked over HTTP against the classify API (a real one, on the fixture knowledge base)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import Engine

from services.classify.api import make_router
from services.classify.classifier import Classifier
from services.notify.names import NOT_CHECKED
from services.pipeline.api import service_app
from services.pipeline.broker import free_port
from tests.classify.conftest import FIXTURE_KB
from tests.notify.conftest import ServedApp, serve_api

HOOK = {"type": "webhook", "url": "http://127.0.0.1:9/hook"}


@pytest.fixture(scope="module")
def classify_url() -> Iterator[str]:
    """The classify API (its router as the service serves it) on the fixture knowledge base."""
    app = service_app(title="classify")
    app.include_router(make_router(Classifier.load(FIXTURE_KB)))
    served = ServedApp(app)
    yield served.url
    served.close()


def _create(engine: Engine, filters: dict[str, Any], **settings: Any) -> tuple[int, dict[str, Any]]:
    with serve_api(engine, **settings) as api:
        body = {"name": "watch", "filters": filters, "channel": HOOK}
        response = api.client.post("/v1/subscriptions", json=body, headers=api.auth("a"))
        listed = api.client.get("/v1/subscriptions", headers=api.auth("a")).json()
        assert [s["filters"] for s in listed] == ([response.json()["filters"]] if response.status_code == 201 else [])
        return response.status_code, response.json()


def test_unknown_names_are_saved_with_the_closest_known_ones(sqlite_engine: Engine, classify_url: str) -> None:
    filters = {"companies": ["Bytedanse", "腾讯", "Tencent", "tencent", "Nothing Like Any Name"], "regulators": ["CAC"]}
    status, created = _create(sqlite_engine, filters, classify_url=classify_url)
    assert status == 201, created
    assert created["warnings"] == [
        'company "Bytedanse" is not in the knowledge base; did you mean "ByteDance"?',
        'company "腾讯" is another name of "Tencent" (id "tencent"): tags carry that name, use it',
        'company "Nothing Like Any Name" is not in the knowledge base; no known name is close',
    ]
    assert created["filters"]["companies"] == filters["companies"]  # saved as given


def test_known_names_and_other_filters_bring_no_warning(sqlite_engine: Engine, classify_url: str) -> None:
    filters = {
        "companies": ["ByteDance", "bytedance"],
        "regulators": ["cn-cac", "Cyberspace Administration of China", "cac"],
    }
    assert _create(sqlite_engine, filters, classify_url=classify_url)[1]["warnings"] == []
    assert _create(sqlite_engine, {"keywords": ["Bytedanse"]}, classify_url=None)[1]["warnings"] == []


def test_a_change_of_filters_is_checked_too(sqlite_engine: Engine, classify_url: str) -> None:
    with serve_api(sqlite_engine, classify_url=classify_url) as api:
        a = api.auth("a")
        sub_id = api.client.post("/v1/subscriptions", json={"name": "x", "channel": HOOK}, headers=a).json()["id"]
        changed = api.client.patch(f"/v1/subscriptions/{sub_id}", json={"filters": {"regulators": ["CNIL"]}}, headers=a)
        assert changed.status_code == 200
        assert changed.json()["warnings"] == ['regulator "CNIL" is not in the knowledge base; no known name is close']
        renamed = api.client.patch(f"/v1/subscriptions/{sub_id}", json={"name": "y"}, headers=a)
        assert renamed.status_code == 200 and renamed.json()["warnings"] == []


@pytest.fixture
def stalled_url() -> Iterator[str]:
    """An HTTP server that answers only after the client gave up."""
    release = threading.Event()

    class Slow(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            release.wait(10)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    release.set()
    server.shutdown()
    server.server_close()


def test_when_classify_does_not_answer_the_subscription_is_saved_unchecked(
    sqlite_engine: Engine, stalled_url: str
) -> None:
    filters = {"companies": ["Bytedanse"]}
    for url in (f"http://127.0.0.1:{free_port()}", stalled_url, None):
        status, created = _create(sqlite_engine, filters, classify_url=url, classify_timeout_s=0.3)
        assert (status, created["warnings"]) == (201, [NOT_CHECKED]), url
