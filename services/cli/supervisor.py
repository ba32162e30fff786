"""Child processes of ``regalerts up``: start, watch, restart on crash with a backoff, stop with everything they
started.

Each child runs in its own session and process group, so stopping it or noticing its crash ends the processes
it started too (ingest's parse workers, multiprocessing's resource tracker) instead of leaving them to PID 1,
and a Ctrl-C in the terminal reaches only ``up``, which stops the children in order.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.cli.placeholder import Placeholder

log = logging.getLogger(__name__)

# Delay before restarting a service that crashed again after running less than STABLE_S: none for a
# first crash, then doubling from 1 s up to BACKOFF_CAP_S.
STABLE_S = 60.0
BACKOFF_CAP_S = 30.0
# Set in each child's environment; the service dies with its supervisor (services.cli.main).
SUPERVISOR_PID_VARIABLE = "REGALERTS_SUPERVISOR_PID"


def restart_delay(crashes: int) -> float:
    """Seconds to wait before restarting after the ``crashes``-th crash in a row (0 after the first)."""
    return 0.0 if crashes <= 1 else min(2.0 ** (crashes - 2), BACKOFF_CAP_S)


@dataclass
class Child:
    """One service process, its process group, and its crash streak."""

    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    crashes: int = 0
    started_at: float = 0.0
    restart_at: float | None = None
    placeholder: Placeholder | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """Base URL of the service's HTTP API."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the service as ``python -m services.cli.main <name>`` in a new process group, appending its
        logs to log_path."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "services.cli.main", self.name],
                env={**os.environ, **self.env, SUPERVISOR_PID_VARIABLE: str(os.getpid())},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started_at = time.monotonic()

    def stop(self, timeout: float) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds; then end whatever is left of its process group."""
        self._close_placeholder()
        self.restart_at = None
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._kill_group()

    def _kill_group(self) -> None:
        """SIGKILL every process left in the child's group (the leader has exited)."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)

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

    def supervise(self, now: float) -> None:
        """Notice a crash (end its process group, schedule the restart) and restart when the backoff is over."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                self._close_placeholder()
                self.restart_at = None
                self.start()
            return
        if self.process is None or self.process.poll() is None:
            return
        self._kill_group()
        self.crashes = self.crashes + 1 if now - self.started_at < STABLE_S else 1
        delay = restart_delay(self.crashes)
        code = self.process.returncode
        log.warning(
            "Service exited, restarting",
            extra={"service": self.name, "code": code, "crashes": self.crashes, "delay_s": delay},
        )
        print(
            f"  {self.name:<9} exited with code {code} ({self.crashes} in a row): restarting in {delay:g} s", flush=True
        )
        self.restart_at = now + delay
        if delay > 0:
            self.placeholder = Placeholder.open(self.port, self._status)

    def _status(self) -> dict[str, object]:
        """What the placeholder's /readyz says while the service waits for its restart."""
        left = max(0.0, (self.restart_at or 0.0) - time.monotonic())
        code = self.process.returncode if self.process is not None else None
        return {
            "status": "restarting",
            "service": self.name,
            "crashes_in_a_row": self.crashes,
            "last_exit_code": code,
            "restart_in_s": round(left, 1),
        }

    def _close_placeholder(self) -> None:
        if self.placeholder is not None:
            self.placeholder.close()
            self.placeholder = None
