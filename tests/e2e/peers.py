"""Real local peers for end-to-end tests: a feed server and a webhook receiver that verifies signatures."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

from standardwebhooks import Webhook

SEED_TITLE = "La Chine convoque des entreprises technologiques sur la sécurité des logiciels vocaux"
SEED_SUMMARY = (
    "Les autorités chinoises ont convoqué onze entreprises, dont Alibaba et Tencent, pour des discussions "
    "sur la sécurité des logiciels vocaux. Le régulateur d'Internet, l'Administration chinoise du "
    "cyberespace, a indiqué que les discussions portaient sur les évaluations de sécurité de ces technologies."
)


def rss(items: list[dict[str, str]], title: str = "Test wire") -> bytes:
    """An RSS 2.0 document titled ``title``; each item dict has guid, title, summary and optional hours_ago."""
    now = datetime.now(UTC)
    body = "".join(
        f'<item><guid isPermaLink="false">{escape(i["guid"])}</guid><title>{escape(i["title"])}</title>'
        f"<link>https://news.example.org/{escape(i['guid'])}</link><description>{escape(i['summary'])}</description>"
        f"<pubDate>{format_datetime(now - timedelta(hours=float(i.get('hours_ago', 1))))}</pubDate></item>"
        for i in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>https://news.example.org/</link><description>t</description>{body}</channel></rss>"
    ).encode()


def tencent_fine(n: int, prefix: str) -> dict[str, str]:
    """The n-th of many distinct decisions: each fine has its own amount (6 % apart, more than two reports
    of one decision differ by), so each is its own story and gets its own alert."""
    amount = round(1000 * 1.06**n)
    return {
        "guid": f"{prefix}-{n}",
        "title": f"Regulator fines Tencent {amount} yuan over game licensing, case {n}",
        "summary": f"China's State Administration for Market Regulation fined Tencent in case {n}.",
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class FeedServer(_Server):
    """Serves ``document`` at /feed.xml and counts the requests."""

    def __init__(self, document: bytes) -> None:
        self.document = document
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(outer.document)))
                self.end_headers()
                self.wfile.write(outer.document)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(Handler)

    @property
    def feed_url(self) -> str:
        return f"{self.url}/feed.xml"


class WebhookReceiver(_Server):
    """Accepts POST /hook, verifying each signature with the independent ``standardwebhooks`` package."""

    def __init__(self) -> None:
        self.secret: str | None = None
        self.alerts: list[dict[str, Any]] = []
        self.refused = 0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    assert outer.secret, "no secret yet"
                    Webhook(outer.secret).verify(body, {k.lower(): v for k, v in self.headers.items()})
                except Exception:
                    with outer.lock:
                        outer.refused += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                with outer.lock:
                    outer.alerts.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(Handler)

    @property
    def hook_url(self) -> str:
        return f"{self.url}/hook"

    def item_ids(self) -> list[str]:
        with self.lock:
            return [a["data"]["item"]["id"] for a in self.alerts if a["type"] != "alert.test"]

    def links(self) -> list[str]:
        with self.lock:
            return [a["data"]["item"]["link"] for a in self.alerts if a["type"] != "alert.test"]


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail the test naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
