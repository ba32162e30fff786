"""``regalerts ingest`` killed with SIGKILL mid-poll: started again, it takes back the feeds it held and polls
the due ones at once, instead of leaving them until their lease runs out."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx

from services.cli.supervisor import Child
from services.pipeline.broker import EmbeddedBroker, free_port
from services.pipeline.db import Base, make_engine
from tests.ingest.conftest import Reply, Site, item, rss


def test_a_restarted_ingest_polls_at_once_the_feeds_its_killed_predecessor_held(
    broker: EmbeddedBroker, site: Site, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'ingest.db'}"
    engine = make_engine(database)
    Base.metadata.create_all(engine)
    engine.dispose()
    token = uuid.uuid4().hex
    env = {
        "REGALERTS_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "REGALERTS_DATABASE_URL": database,
        "REGALERTS_SSRF_ALLOW_CIDRS": "127.0.0.0/8",
        "REGALERTS_ADMIN_TOKEN": token,
        "REGALERTS_POLL_INTERVAL_FLOOR_S": "1",
        "REGALERTS_LOG_LEVEL": "WARNING",
    }
    hanging = threading.Event()
    hanging.set()

    def answer(_handler: BaseHTTPRequestHandler) -> Reply:
        if len(site.hits("/feed.xml")) > 1:  # every poll after the registration's hangs while the flag is set
            _hold(hanging)
        return Reply(200, rss([item(1)]))

    site.serve("/feed.xml", answer)
    port = free_port()
    child = Child("ingest", port, {**env, "REGALERTS_HTTP_PORT": str(port)}, tmp_path / "ingest.log")
    child.start()
    try:
        child.wait_ready(timeout=60)
        created = httpx.post(
            f"{child.url}/v1/feeds",
            json={"url": site.url("/feed.xml"), "poll_interval_s": 1},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        _wait(lambda: len(site.hits("/feed.xml")) >= 2, 30, "a poll in flight")
        assert child.process is not None
        child.process.send_signal(signal.SIGKILL)  # the feed stays claimed by the dead process
        child.process.wait(timeout=10)
        hanging.clear()
        child.start()
        child.wait_ready(timeout=60)
        ready = time.monotonic()
        _wait(lambda: len(site.hits("/feed.xml")) >= 3, 60, "a poll after the restart")
        assert time.monotonic() - ready < 10, "the feed waited for its dead predecessor's lease to run out"
    finally:
        hanging.clear()
        child.stop(timeout=20)


def _hold(flag: threading.Event) -> None:
    """Hold the request while ``flag`` is set (a slow publisher), at most a minute."""
    deadline = time.monotonic() + 60
    while flag.is_set() and time.monotonic() < deadline:
        time.sleep(0.05)


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
