"""``regalerts up --demo``: sample feeds served locally, a demo tenant and subscriptions, and a receiver page.

Everything stays on this machine: the feeds are served from 127.0.0.1 (items dated relative to now, so they
fall inside the backfill window), and the webhook receiver verifies each alert's signature and lists the
alerts it received at a page the user opens.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from services.cli.demo_mail import CaughtMail, MailCatcher
from services.cli.demo_page import alert_id, render_page

log = logging.getLogger(__name__)

DEMO_PORT = 8700
DEMO_MEMBER = "demo@regalerts.example"
DEMO_SMTP_PORT = 8725
MAX_BODY = 1_000_000


def demo_environment(mail: MailCatcher) -> dict[str, str]:
    """Settings the services need for the demo: loopback is allowed as an outbound destination (the demo's
    feeds and receiver), and notify sends its mail to the demo's catcher."""
    return {"REGALERTS_SSRF_ALLOW_CIDRS": "127.0.0.0/8", **mail.environment()}


def sample_items() -> list[dict[str, Any]]:
    """The bundled sample items."""
    text = resources.files("services.cli").joinpath("demo_feeds/items.json").read_text(encoding="utf-8")
    items: list[dict[str, Any]] = json.loads(text)
    return items


def render_rss(feed: str, items: list[dict[str, Any]], now: datetime) -> bytes:
    """An RSS 2.0 document of the sample items of ``feed``, dated relative to ``now``."""
    entries = []
    for item in items:
        if item["feed"] != feed:
            continue
        published = format_datetime(now - timedelta(hours=item["hours_ago"]))
        entries.append(
            f'<item><guid isPermaLink="false">{escape(item["guid"])}</guid><title>{escape(item["title"])}</title>'
            f"<link>https://example.org/news/{escape(item['guid'])}?utm_source=rss</link>"
            f"<description>{escape(item['summary'])}</description><pubDate>{published}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>RegAlerts demo: {feed}</title><link>https://example.org/</link>"
        f"<description>Sample items</description>{''.join(entries)}</channel></rss>"
    ).encode()


@dataclass
class Received:
    """Alerts the demo receiver accepted, newest first, and requests it refused.

    Hooks of the demo's own subscriptions have their signature verified (the demo knows their secrets);
    alerts posted to any other /hooks/<name> (a subscription the user made) are kept as unchecked.
    """

    alerts: list[dict[str, Any]] = field(default_factory=list)
    unchecked: set[str] = field(default_factory=set)  # ids of the alerts whose signature was not checked
    refused: int = 0
    secrets: dict[str, str] = field(default_factory=dict)  # hook path segment -> signing secret
    lock: threading.Lock = field(default_factory=threading.Lock)


class DemoServer(ThreadingHTTPServer):
    """Serves /feeds/<name>.xml, receives POST /hooks/<name>, shows the alerts and the caught mail at /."""

    daemon_threads = True

    def __init__(self, port: int, catcher: MailCatcher | None = None) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.received = Received()
        self.catcher = catcher
        self.mail = catcher.caught if catcher else CaughtMail()
        self.items = sample_items()
        self._serving = False

    @property
    def url(self) -> str:
        """Base URL of the demo server."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> DemoServer:
        """Serve in a background thread."""
        threading.Thread(target=self.serve_forever, name="demo-server", daemon=True).start()
        self._serving = True
        return self

    def close(self) -> None:
        """Stop serving, free the port, stop the mail catcher."""
        if self._serving:
            self.shutdown()
        self.server_close()
        if self.catcher is not None:
            self.catcher.stop()


def bind_demo(ports: dict[str, int]) -> DemoServer:
    """The demo server and its mail catcher, bound to their planned ports at once, so that no other process
    takes them while the services start."""
    catcher = MailCatcher(ports["smtp"]).start()
    try:
        return DemoServer(ports["demo"], catcher)
    except OSError:
        catcher.stop()
        raise


class _Handler(BaseHTTPRequestHandler):
    server: DemoServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the demo prints what matters."""

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.startswith("/feeds/") and self.path.endswith(".xml"):
            feed = self.path.removeprefix("/feeds/").removesuffix(".xml")
            self._send(200, render_rss(feed, self.server.items, datetime.now(UTC)), "application/rss+xml")
        elif self.path in ("/", "/index.html"):
            received = self.server.received
            with received.lock:
                alerts, unchecked, refused = list(received.alerts), set(received.unchecked), received.refused
            page = render_page(alerts, refused, unchecked=unchecked, mail=self.server.mail.snapshot())
            self._send(200, page.encode(), "text/html; charset=utf-8")
        elif self.path == "/alerts.json":
            with self.server.received.lock:
                body = json.dumps(self.server.received.alerts).encode()
            self._send(200, body, "application/json")
        elif self.path == "/mail.json":
            self._send(200, json.dumps(self.server.mail.snapshot()).encode(), "application/json")
        else:
            self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        from services.notify.signing import InvalidSignature, verify

        length = int(self.headers.get("Content-Length") or 0)
        if not self.path.startswith("/hooks/") or length > MAX_BODY:
            self._send(404, b"not found", "text/plain")
            return
        body = self.rfile.read(length)
        received = self.server.received
        secret = received.secrets.get(self.path.removeprefix("/hooks/"))
        try:
            if secret is not None:
                verify(secret, {k.lower(): v for k, v in self.headers.items()}, body)
            alert = json.loads(body)
            if not isinstance(alert, dict):
                raise ValueError("not an alert")
        except (InvalidSignature, ValueError):
            with received.lock:
                received.refused += 1
            self._send(401 if secret else 400, b"refused", "text/plain")
            return
        with received.lock:
            received.alerts.insert(0, alert)
            if secret is None:
                received.unchecked.add(alert_id(alert))
        self._send(204, b"", "text/plain")


def run_demo(*, server: DemoServer, children: dict[str, str], var: Path, env: dict[str, str]) -> DemoServer:
    """Start the demo server, register the sample feeds and the demo subscriptions, print the page URL."""
    from services.cli.demo_setup import register_demo
    from services.cli.users import demo_member_link

    server.start()
    api_key = register_demo(
        server=server,
        ingest_url=children["ingest"],
        notify_url=children["notify"],
        var=var,
        admin_token=env["REGALERTS_ADMIN_TOKEN"],
        database_url=env["REGALERTS_DATABASE_URL"],
    )
    print(f"\nDemo: sample feeds at {server.url}/feeds/; alerts appear at {server.url}/")
    link = demo_member_link(env["REGALERTS_DATABASE_URL"], api_key=api_key, web_url=children["web"])
    print(f"Sign in to the web app as {DEMO_MEMBER} (one use, 15 minutes): {link}  <- open this")
    return server
