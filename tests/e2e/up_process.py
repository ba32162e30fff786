"""`regalerts up` as a subprocess for end-to-end tests: its output, its URLs, and every process it started."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import httpx

# Settings a developer's shell may hold that would make `up` use something other than its own peers.
OUTSIDE_SETTINGS = ("REGALERTS_KAFKA_BOOTSTRAP_SERVERS", "REGALERTS_DATABASE_URL", "REGALERTS_ADMIN_TOKEN")
MARK = "REGALERTS_TEST_UP_MARK"


class UpProcess:
    """`regalerts up [--demo]` as a subprocess, its output collected line by line.

    Every process it starts inherits a unique mark in its environment, so a test can find all of them,
    however deep, and check that none is left.
    """

    def __init__(self, var: Path, *args: str, demo: bool = True, cwd: Path | None = None) -> None:
        self.mark = uuid.uuid4().hex
        self.var = var if cwd is None else cwd / var
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "REGALERTS_KAFKA_SESSION_TIMEOUT_MS": "3000",
            "REGALERTS_KAFKA_HEARTBEAT_INTERVAL_MS": "1000",
            MARK: self.mark,
        }
        for name in OUTSIDE_SETTINGS:
            env.pop(name, None)
        command = [sys.executable, "-m", "services.cli.main", "up", *(["--demo"] if demo else []), "--var", str(var)]
        self.process = subprocess.Popen(
            [*command, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def output(self) -> str:
        return "".join(self.lines)

    def page_url(self) -> str | None:
        match = re.search(r"alerts appear at (http://127\.0\.0\.1:\d+/)", self.output())
        return match.group(1) if match else None

    def signin_link(self) -> str | None:
        """The demo member's one-time sign-in link `up --demo` printed."""
        match = re.search(r"Sign in to the web app as \S+ \(one use, 15 minutes\): (http://\S+)", self.output())
        return match.group(1) if match else None

    def started(self) -> bool:
        """True once `up` has started everything (or has exited)."""
        return "Ctrl-C stops everything" in self.output() or self.process.poll() is not None

    def service_urls(self) -> dict[str, str]:
        return dict(re.findall(r"^  (ingest|classify|notify|web)\s+(http://127\.0\.0\.1:\d+)", self.output(), re.M))

    def log_tail(self, service: str, lines: int = 15) -> str:
        path = self.var / "logs" / f"{service}.log"
        return "".join(path.read_text(errors="replace").splitlines(keepends=True)[-lines:]) if path.exists() else ""

    def processes(self) -> list[int]:
        """Every live process carrying this run's mark (`up` itself included while it runs)."""
        return product_processes(self.mark)

    def stop(self, timeout: float = 60) -> int:
        """Ctrl-C, as a user would; the exit code (after a SIGKILL if it did not stop in time)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def product_processes(mark: str) -> list[int]:
    """Pids of the live (not zombie) processes whose environment holds ``MARK=mark``."""
    needle = f"{MARK}={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0") and not _zombie(entry):
                found.append(int(entry.name))
        except OSError:
            continue  # gone meanwhile, or not ours
    return found


def _zombie(entry: Path) -> bool:
    return (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def children_of(pid: int) -> list[int]:
    """The pids of ``pid``'s direct children."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def service_pid(up: UpProcess, name: str) -> int | None:
    """The pid of `up`'s child running ``regalerts <name>``."""
    for pid in children_of(up.process.pid):
        try:
            if (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")[-2:] == [name.encode(), b""]:
                return pid
        except OSError:
            continue
    return None


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False
