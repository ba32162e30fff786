"""Ingest benchmark: 1,000 feeds x 20 items served locally, a cold cycle then a warm (304) cycle.

The feeds are served by a small asyncio HTTP server in a child process, spread over 100 loopback
addresses (10 feeds per host, so the per-host limits apply as they would on the web). Ingest runs its
real scheduler, fetcher, parser, store (SQLite) and outbox publisher against an embedded broker.

    .venv/bin/python bench/bench_ingest.py [--feeds 1000] [--items 20] [--hosts 100]

Cold: every feed polled, its 20 items stored and acknowledged by the broker. Warm: every feed polled
again with its ETag and answered 304. Prints wall time, feeds/s and this process's CPU seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, update

from services.ingest.main import build_service
from services.ingest.models import Feed, Item
from services.ingest.settings import IngestSettings
from services.pipeline.broker import EmbeddedBroker, create_topics, free_port
from services.pipeline.db import Base, make_engine, make_session_factory

COLD_FLOOR_S, WARM_FLOOR_S = 15.0, 5.0


def feed_document(n: int, items: int) -> bytes:
    now = datetime.now(UTC)
    body = "".join(
        f"<item><guid>feed{n}-item{i}</guid><title>Regulator fines company {n}-{i} over disclosure failures</title>"
        f"<link>https://regulator{n % 97}.example.org/news/{n}/{i}?utm_source=rss</link>"
        f"<description>&lt;p&gt;The authority fined company {n}-{i} for breaching market rules on disclosure "
        f"and investor protection.&lt;/p&gt;</description>"
        f"<pubDate>{format_datetime(now - timedelta(minutes=i * 7))}</pubDate></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {n}</title>'
        f"<link>https://example.org/{n}</link><description>bench</description><language>en</language>"
        f"{body}</channel></rss>"
    ).encode()


async def serve(port: int, hosts: int, feeds: int, items: int) -> None:
    documents = {f"/feed/{n}.xml": feed_document(n, items) for n in range(feeds)}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                document = documents.get(path)
                etag = f'"{path}"'
                if document is None:
                    response = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                elif headers.get("if-none-match") == etag:
                    response = f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n".encode()
                else:
                    response = (
                        f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: {etag}\r\n"
                        f"Content-Length: {len(document)}\r\n\r\n"
                    ).encode() + document
                writer.write(response)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    addresses = [f"127.0.1.{h + 1}" for h in range(hosts)]
    server = await asyncio.start_server(handle, addresses, port, backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def wait_until(check: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("cycle did not finish")
        time.sleep(0.1)


def cpu_seconds() -> float:
    """CPU time of this process and of its live parser processes (Linux /proc)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    ticks = os.sysconf("SC_CLK_TCK")
    for child in multiprocessing.active_children():
        fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def run(feeds: int, items: int, hosts: int) -> None:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            str(port),
            "--feeds",
            str(feeds),
            "--items",
            str(items),
            "--hosts",
            str(hosts),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdout.readline().strip() == "ready"
    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        with EmbeddedBroker() as broker:
            create_topics(broker.bootstrap)
            measure(broker.bootstrap, workdir, port, feeds, items, hosts)
    finally:
        server.terminate()
        server.wait()


def measure(bootstrap: str, workdir: Path, port: int, feeds: int, items: int, hosts: int) -> None:
    settings = IngestSettings(
        database_url=f"sqlite:///{workdir / 'ingest.db'}",
        kafka_bootstrap_servers=bootstrap,
        ssrf_allow_cidrs="127.0.0.0/8",
        scheduler_tick_s=0.05,
        scheduler_batch=feeds,
        global_concurrency=64,
        host_concurrency=2,
        host_min_interval_s=0.0,
        publish_idle_s=0.05,
    )
    engine = make_engine(settings.database_url)
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    far = datetime.now(UTC) + timedelta(days=1)
    with sessions.begin() as session:
        session.add_all(
            Feed(
                id=f"{n:032x}",
                url=f"http://127.0.1.{n % hosts + 1}:{port}/feed/{n}.xml",
                title=f"Feed {n}",
                next_poll_at=far,
            )
            for n in range(feeds)
        )
    service = build_service(settings)
    threads = [threading.Thread(target=w.run, daemon=True) for w in service.workers]
    for thread in threads:
        thread.start()

    def polled_since(mark: datetime) -> int:
        with sessions() as session:
            return int(session.scalar(select(func.count()).select_from(Feed).where(Feed.last_polled_at >= mark)) or 0)

    def acknowledged() -> int:
        with sessions() as session:
            return int(session.scalar(select(func.count()).select_from(Item).where(Item.acked_at.is_not(None))) or 0)

    results = {}
    for cycle in ("cold", "warm"):
        mark = datetime.now(UTC)
        cpu, wall = cpu_seconds(), time.monotonic()
        with sessions.begin() as session:
            session.execute(update(Feed).values(next_poll_at=mark))
        wait_until(lambda m=mark: polled_since(m) == feeds, 300)
        polled_s = time.monotonic() - wall
        if cycle == "cold":
            wait_until(lambda: acknowledged() == feeds * items, 300)
        results[cycle] = (time.monotonic() - wall, polled_s, cpu_seconds() - cpu)
    for worker in service.workers:
        worker.stop()
    for thread in threads:
        thread.join(timeout=30)
    report(results, feeds, items, hosts, sessions)


def report(
    results: dict[str, tuple[float, float, float]], feeds: int, items: int, hosts: int, sessions: object
) -> None:
    print(f"ingest benchmark: {feeds} feeds x {items} items on {hosts} loopback hosts, {os.cpu_count()} CPUs")
    for cycle, floor in (("cold", COLD_FLOOR_S), ("warm", WARM_FLOOR_S)):
        wall, polled, cpu = results[cycle]
        print(
            f"  {cycle}: {wall:6.2f} s wall ({polled:.2f} s until every feed was polled), "
            f"{feeds / wall:7.1f} feeds/s, {cpu:6.2f} CPU s in ingest (service + parser process), floor {floor:.0f} s "
            f"-> {floor / wall:.1f}x headroom"
        )
    cold = results["cold"]
    print(f"  cold: {feeds * items / cold[0]:.0f} items/s stored and acknowledged by the broker")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve, args.hosts, args.feeds, args.items))
    else:
        run(args.feeds, args.items, args.hosts)


if __name__ == "__main__":
    main()
