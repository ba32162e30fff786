"""Run a service: its background workers in threads and its HTTP API under uvicorn, stopped gracefully.

SIGTERM or SIGINT stop the workers (each finishes its in-flight work and commits) and then uvicorn, within
``shutdown_timeout_s``; a second Ctrl-C exits at once. A worker that crashes stops the whole process with
a non-zero code, so the supervisor (regalerts up, Kubernetes) restarts it rather than leave it half alive.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Protocol

import uvicorn
from fastapi import FastAPI

from services.pipeline.metrics import BUILD_INFO
from services.pipeline.settings import CommonSettings

log = logging.getLogger(__name__)


class Worker(Protocol):
    """A background loop: ``run`` blocks until ``stop`` is called and in-flight work is done."""

    name: str

    def run(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Service:
    """What a service is made of."""

    name: str
    app: FastAPI
    workers: list[Worker]
    port: int
    on_shutdown: list[Callable[[], None]] = field(default_factory=list)


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:
        """Signals are handled by run_service, not by uvicorn."""


def _start_worker(worker: Worker, failed: threading.Event) -> threading.Thread:
    def target() -> None:
        try:
            worker.run()
        except BaseException:
            log.exception("Worker crashed", extra={"worker": worker.name})
            failed.set()

    thread = threading.Thread(target=target, name=worker.name, daemon=True)
    thread.start()
    return thread


def run_service(service: Service, settings: CommonSettings) -> int:
    """Serve until a signal or a worker crash; return the process exit code."""
    from services import __version__

    BUILD_INFO.info({"version": __version__, "service": service.name})
    failed = threading.Event()
    server = _Server(
        uvicorn.Config(
            service.app, host=settings.http_host, port=service.port, log_config=None, access_log=False, lifespan="on"
        )
    )
    signals_seen = 0

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        nonlocal signals_seen
        signals_seen += 1
        if signals_seen > 1:
            os._exit(130)
        log.info("Stopping", extra={"signal": signal.Signals(signum).name})
        server.should_exit = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threads = [_start_worker(worker, failed) for worker in service.workers]

    def stop_on_failure() -> None:
        failed.wait()
        server.should_exit = True

    watchdog = threading.Thread(target=stop_on_failure, daemon=True)
    watchdog.start()
    log.info("Service started", extra={"service": service.name, "port": service.port})
    server.run()
    _stop_workers(service.workers, threads, settings.shutdown_timeout_s)
    for close in service.on_shutdown:
        try:
            close()
        except Exception:
            log.exception("Shutdown step failed")
    log.info("Service stopped", extra={"service": service.name})
    return 1 if failed.is_set() else 0


def _stop_workers(workers: list[Worker], threads: list[threading.Thread], timeout_s: float) -> None:
    for worker in workers:
        worker.stop()
    for thread in threads:
        thread.join(timeout=timeout_s / max(1, len(threads)))
        if thread.is_alive():
            log.error("Worker did not stop in time", extra={"worker": thread.name})


def exit_with(code: int) -> None:
    """Flush logs and exit the process with ``code``."""
    logging.shutdown()
    sys.exit(code)
