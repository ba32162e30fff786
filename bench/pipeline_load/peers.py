"""The bench's side of the wire: feeds on which items appear at a set rate, webhook and SMTP receivers.

Everything runs on one asyncio loop in a thread of the bench process, keeping wall-clock times (Unix
seconds, comparable with the services' stage headers): when each item appeared, when each alert arrived.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
import time
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

from aiosmtpd.controller import Controller

from bench.pipeline_load.world import Headline

KEEP = 5  # items a feed lists
LINK = re.compile(rb"https://news\.example\.org/b/(\d+)")


@dataclass
class Arrival:
    """An alert received: when, its id (webhook-id or X-RegAlerts-Alert-Id) and the item's sequence number."""

    at: float
    alert_id: str
    seq: int
    channel: str


@dataclass
class Peers:
    """Feeds, items and receivers, shared between the loop thread and the bench."""

    feeds: int
    hosts: int
    rows: list[Headline]
    appeared: dict[int, tuple[float, int]] = field(default_factory=dict)  # seq -> (time, headline index)
    arrivals: list[Arrival] = field(default_factory=list)
    polls: int = 0
    _items: list[deque[bytes]] = field(default_factory=list)
    _versions: list[int] = field(default_factory=list)
    _appearances: dict[int, int] = field(default_factory=dict)  # headline -> items of it so far
    _loop: asyncio.AbstractEventLoop | None = None

    def __post_init__(self) -> None:
        self._items = [deque(maxlen=KEEP) for _ in range(self.feeds)]
        self._versions = [0] * self.feeds

    def feed_url(self, port: int, n: int) -> str:
        """Where feed ``n`` is served."""
        return f"http://127.0.1.{n % self.hosts + 1}:{port}/feed/{n}.xml"

    def start(self, feed_port: int, hook_port: int, smtp_port: int) -> None:
        """Serve the feeds, the webhook receiver and the SMTP server until the process ends."""
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._serve(feed_port, hook_port))
            ready.set()
            self._loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait(30)
        Controller(_Mailbox(self), hostname="127.0.0.1", port=smtp_port).start()

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Schedule a coroutine on the peers' loop."""
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def publish(self, rate: float, seconds: float, seed: int) -> None:
        """Make items appear at ``rate`` per second for ``seconds``, each on a random feed."""
        rng, start, seq = random.Random(seed), time.time(), len(self.appeared)
        first = seq
        while (seq - first) / rate < seconds:
            delay = start + (seq - first) / rate - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            feed, headline = rng.randrange(self.feeds), rng.randrange(len(self.rows))
            self._add(seq, feed, headline)
            seq += 1

    def _add(self, seq: int, feed: int, headline: int) -> None:
        now, appearance = time.time(), self._appearances.get(headline, 0)
        self._appearances[headline] = appearance + 1
        title, summary = self.rows[headline].texts(appearance)
        date = format_datetime(datetime.fromtimestamp(now, UTC))
        self._items[feed].appendleft(
            f"<item><guid isPermaLink='false'>b-{seq}</guid><title>{escape(title)}</title>"
            f"<link>https://news.example.org/b/{seq}</link><description>{escape(summary)}</description>"
            f"<pubDate>{date}</pubDate></item>".encode()
        )
        self._versions[feed] += 1
        self.appeared[seq] = (now, headline)

    def _document(self, n: int) -> bytes:
        return (
            b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench feed</title>'
            b"<link>https://news.example.org/</link><description>bench</description><language>en</language>"
            + b"".join(self._items[n])
            + b"</channel></rss>"
        )

    async def _serve(self, feed_port: int, hook_port: int) -> None:
        addresses = [f"127.0.1.{h + 1}" for h in range(self.hosts)]
        await asyncio.start_server(lambda r, w: self._http(r, w, self._feed), addresses, feed_port, backlog=1024)
        await asyncio.start_server(lambda r, w: self._http(r, w, self._hook), "127.0.0.1", hook_port, backlog=1024)

    async def _http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, answer: Any) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length") or 0))
                writer.write(answer(head[0].split(" ")[1], headers, body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def _feed(self, path: str, headers: dict[str, str], _body: bytes) -> bytes:
        self.polls += 1
        n = int(path.rsplit("/", 1)[1].split(".")[0])
        etag = f'"v{self._versions[n]}"'
        if headers.get("if-none-match") == etag:
            return f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n".encode()
        document = self._document(n)
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: {etag}\r\nContent-Length: {len(document)}"
        )
        return head.encode() + b"\r\n\r\n" + document

    def _hook(self, _path: str, headers: dict[str, str], body: bytes) -> bytes:
        found = LINK.search(body)
        if found:
            self.arrivals.append(Arrival(time.time(), headers.get("webhook-id", ""), int(found.group(1)), "webhook"))
        return b"HTTP/1.1 204 No Content\r\n\r\n"


class _Mailbox:
    """aiosmtpd handler: one arrival per message."""

    def __init__(self, peers: Peers) -> None:
        self._peers = peers

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        content = bytes(envelope.content)
        alert = re.search(rb"X-RegAlerts-Alert-Id: *(\S+)", content)
        found = LINK.search(content)
        if alert and found:
            arrival = Arrival(time.time(), alert.group(1).decode(), int(found.group(1)), "email")
            self._peers.arrivals.append(arrival)
        return "250 OK"
