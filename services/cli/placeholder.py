"""What answers on a crashed service's port while ``regalerts up`` waits to restart it: 503 with the reason.

Probes and users asking the service's /readyz or /healthz learn that it is restarting, how many times it
crashed in a row and when it comes back, instead of a refused connection.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger(__name__)

Status = Callable[[], dict[str, object]]


class Placeholder(ThreadingHTTPServer):
    """Answers every request on 127.0.0.1:port with 503 and the JSON ``status()`` returns."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, status: Status) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.status = status

    @classmethod
    def open(cls, port: int, status: Status) -> Placeholder | None:
        """Serve on ``port`` in a background thread; None when the port is taken."""
        try:
            server = cls(port, status)
        except OSError as exc:
            log.warning("Cannot answer on a crashed service's port", extra={"port": port, "error": str(exc)})
            return None
        threading.Thread(target=server.serve_forever, name=f"placeholder-{port}", daemon=True).start()
        return server

    def close(self) -> None:
        """Stop serving and free the port."""
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: Placeholder

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the supervisor logs the crash."""

    def do_GET(self) -> None:
        status = self.server.status()
        body = json.dumps(status).encode()
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Retry-After", str(max(1, math.ceil(float(str(status.get("restart_in_s", 1)))))))
        self.end_headers()
        self.wfile.write(body)
