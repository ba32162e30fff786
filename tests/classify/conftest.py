"""Classifiers shared by the classify tests: one on the small fixture knowledge base, one on the real one."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from services.classify.api import make_router
from services.classify.classifier import Classifier
from services.pipeline.api import service_app

FIXTURE_KB = Path(__file__).resolve().parent / "kb"


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    """A classifier on the fixture knowledge base (tests/classify/kb), independent of the real one's size."""
    return Classifier.load(FIXTURE_KB)


@pytest.fixture(scope="session")
def real_classifier() -> Classifier:
    """A classifier on the package's own knowledge base."""
    return Classifier.load()


@pytest.fixture(scope="module")
def classify_api(classifier: Classifier) -> Iterator[httpx.Client]:
    """The classify API router in a FastAPI app, served by uvicorn on a free local port."""
    app = service_app(title="classify test")
    app.include_router(make_router(classifier))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        yield client
    server.should_exit = True
    thread.join(10)
