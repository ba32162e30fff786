"""WebSub benchmark: the time from an item's publication to its raw event, pushed by a hub or found by a poll.

flask-websub's Hub (a hub written elsewhere, its Celery tasks run eagerly) in a thread, a local feed server
with two feeds, the embedded broker and ``regalerts ingest`` as a process with WebSub on. One feed names the
hub, the other does not and is polled every ``--poll-interval`` seconds (the floor). Each round publishes one
item on both feeds (and tells the hub), then waits for both raw events on the broker.

    .venv/bin/python bench/bench_websub.py [--rounds 10] [--poll-interval 5]

Prints p50 / p95 / max per path, and the polled path's p50 over the pushed one's.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from celery import Celery
from flask import Flask
from flask_websub.hub import Hub, SQLite3HubStorage
from kafka import KafkaConsumer, TopicPartition
from werkzeug.serving import make_server

import services.ingest.models  # noqa: F401  (registers the ingest tables create_all makes)
from services.cli.supervisor import Child
from services.pipeline.broker import EmbeddedBroker, create_topics, free_port
from services.pipeline.db import Base, make_engine
from services.pipeline.events import RawItem, decode
from services.pipeline.topics import ITEMS_RAW


class Feeds(ThreadingHTTPServer):
    """Two RSS feeds whose items the bench adds; ``/pushed.xml`` names the hub in its Link header."""

    daemon_threads = True

    def __init__(self, hub_url: str) -> None:
        self.items: dict[str, list[str]] = {"/pushed.xml": [], "/polled.xml": []}
        self.hub_url = hub_url
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = outer.document(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                if self.path == "/pushed.xml":
                    self.send_header("Link", f'<{outer.hub_url}>; rel="hub", <{outer.url(self.path)}>; rel="self"')
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def document(self, path: str) -> bytes:
        if path not in self.items:
            return b""
        date = format_datetime(datetime.now(UTC))
        entries = "".join(
            f"<item><guid>{title}</guid><title>{title}</title><pubDate>{date}</pubDate></item>"
            for title in self.items[path]
        )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title><link>https://example.org/</link>'
            f"<description>b</description>{entries}</channel></rss>"
        ).encode()


def start_hub(folder: Path) -> str:
    celery = Celery("bench-hub", set_as_current=False)
    celery.conf.task_always_eager = True
    app = Flask("bench-hub")
    app.config.update(PUBLISH_SUPPORTED=True, HUB_MIN_LEASE_SECONDS=1)
    hub = Hub(SQLite3HubStorage(str(folder / "hub.db")), celery, SIGNATURE_ALGORITHM="sha256")
    app.register_blueprint(hub.build_blueprint(url_prefix="/hub"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/hub"


def watch(bootstrap: str, arrived: dict[str, float]) -> None:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    consumer.assign([TopicPartition(ITEMS_RAW.name, p) for p in consumer.partitions_for_topic(ITEMS_RAW.name) or ()])
    consumer.seek_to_beginning()
    while True:
        for records in consumer.poll(timeout_ms=20).values():
            for record in records:
                _event, payload = decode(record.value)
                if isinstance(payload, RawItem):
                    arrived.setdefault(payload.title, time.monotonic())


def register(api: httpx.Client, url: str) -> str:
    """Register a feed (its first poll: with a hub named, the subscription follows); its id."""
    created = api.post("/v1/feeds", json={"url": url, "force": True})
    if created.status_code != 201:
        raise SystemExit(f"registering {url}: HTTP {created.status_code} {created.text}")
    return str(created.json()["id"])


def wait(arrived: dict[str, float], title: str, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while title not in arrived:
        if time.monotonic() > deadline:
            raise SystemExit(f"{title} never reached the raw topic")
        time.sleep(0.005)
    return arrived[title]


def run(rounds: int, poll_interval: float, folder: Path) -> None:
    hub_url = start_hub(folder)
    feeds = Feeds(hub_url)
    database = f"sqlite:///{folder / 'ingest.db'}"
    engine = make_engine(database)
    Base.metadata.create_all(engine)
    engine.dispose()
    with EmbeddedBroker() as broker:
        create_topics(broker.bootstrap)
        token, port = uuid.uuid4().hex, free_port()
        env = {
            "REGALERTS_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
            "REGALERTS_DATABASE_URL": database,
            "REGALERTS_SSRF_ALLOW_CIDRS": "127.0.0.0/8",
            "REGALERTS_ADMIN_TOKEN": token,
            "REGALERTS_LOG_LEVEL": "WARNING",
            "REGALERTS_HTTP_PORT": str(port),
            "REGALERTS_WEBSUB_CALLBACK_URL": f"http://127.0.0.1:{port}",
            "REGALERTS_POLL_INTERVAL_FLOOR_S": str(poll_interval),
            "REGALERTS_POLL_INTERVAL_S": str(poll_interval),
            "REGALERTS_POLL_INTERVAL_MAX_S": str(poll_interval),
            "REGALERTS_POLL_JITTER": "0",
            "REGALERTS_PUBLISH_IDLE_S": "0.1",
        }
        child = Child("ingest", port, env, folder / "ingest.log")
        child.start()
        try:
            try:
                child.wait_ready(timeout=60)
            except RuntimeError:
                print((folder / "ingest.log").read_text()[-3000:], file=sys.stderr)
                raise
            arrived: dict[str, float] = {}
            threading.Thread(target=watch, args=(broker.bootstrap, arrived), daemon=True).start()
            api = httpx.Client(base_url=child.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
            pushed_id = register(api, feeds.url("/pushed.xml"))
            register(api, feeds.url("/polled.xml"))
            deadline = time.monotonic() + 30
            while (api.get(f"/v1/feeds/{pushed_id}").json()["websub"] or {}).get("state") != "active":
                if time.monotonic() > deadline:
                    raise SystemExit(f"the hub never verified the subscription; see {folder / 'ingest.log'}")
                time.sleep(0.1)
            latencies: dict[str, list[float]] = {"push": [], "poll": []}
            for n in range(rounds):
                time.sleep(random.uniform(0, poll_interval))  # publications fall anywhere between two polls
                pushed, polled = f"pushed {n}", f"polled {n}"
                feeds.items["/pushed.xml"].insert(0, pushed)
                feeds.items["/polled.xml"].insert(0, polled)
                published = time.monotonic()
                httpx.post(hub_url, data={"hub.mode": "publish", "hub.topic": feeds.url("/pushed.xml")}, timeout=10)
                latencies["push"].append(wait(arrived, pushed, 30) - published)
                latencies["poll"].append(wait(arrived, polled, 3 * poll_interval + 30) - published)
            report(latencies, rounds, poll_interval)
        finally:
            child.stop(timeout=20)


def report(latencies: dict[str, list[float]], rounds: int, poll_interval: float) -> None:
    print(f"websub benchmark: {rounds} items per path, polled feed every {poll_interval:g} s, {os.cpu_count()} CPUs")
    print("  path  p50 ms  p95 ms  max ms   (publication to raw event on the broker)")
    for path, values in latencies.items():
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(f"  {path:<5} {statistics.median(ordered) * 1000:6.0f}  {p95 * 1000:6.0f}  {ordered[-1] * 1000:6.0f}")
    ratio = statistics.median(latencies["poll"]) / statistics.median(latencies["push"])
    print(f"  polled / pushed, p50: {ratio:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--poll-interval", type=float, default=5.0)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per hub request
    with tempfile.TemporaryDirectory(prefix="bench-websub-") as folder:
        run(args.rounds, args.poll_interval, Path(folder))


if __name__ == "__main__":
    main()
