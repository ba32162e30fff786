"""Child processes of ``regalerts up``: start, watch, restart on crash, stop gracefully."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

log = logging.getLogger(__name__)

MAX_RESTARTS_PER_MINUTE = 5


@dataclass
class Child:
    """One service process."""

    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Base URL of the service's HTTP API."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the service as ``python -m services.cli.main <name>``, appending its logs to log_path."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "services.cli.main", self.name],
                env={**os.environ, **self.env},
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def stop(self, timeout: float) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def wait_ready(self, timeout: float) -> None:
        """Wait until GET /readyz answers 200; raise RuntimeError on exit or timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.process.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout} s; see {self.log_path}")

    def restart_if_exited(self) -> bool:
        """Restart a crashed process (at most MAX_RESTARTS_PER_MINUTE); True when it was restarted."""
        if self.process is None or self.process.poll() is None:
            return False
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < 60]
        if len(self.restarts) >= MAX_RESTARTS_PER_MINUTE:
            raise RuntimeError(f"{self.name} keeps crashing; see {self.log_path}")
        log.warning("Service exited, restarting", extra={"service": self.name, "code": self.process.returncode})
        self.restarts.append(now)
        self.start()
        return True
