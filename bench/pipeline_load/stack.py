"""The real stack for the pipeline bench: the services as separate processes, their CPU time and metrics."""

from __future__ import annotations

import os
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx

from services.cli.supervisor import Child
from services.pipeline.broker import free_port

TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE = re.compile(r"^(\w+)\{([^}]*)\} ([0-9.e+-]+|NaN|\+Inf)$", re.MULTILINE)


def service_env(bootstrap: str, database_url: str, *, poll_interval_s: float, smtp_port: int) -> dict[str, str]:
    """Settings every service process of the bench gets."""
    return {
        "REGALERTS_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "REGALERTS_DATABASE_URL": database_url,
        "REGALERTS_SSRF_ALLOW_CIDRS": "127.0.0.0/8",
        "REGALERTS_ADMIN_TOKEN": uuid.uuid4().hex,
        "REGALERTS_LOG_LEVEL": "WARNING",
        "REGALERTS_POLL_INTERVAL_S": str(poll_interval_s),
        "REGALERTS_POLL_INTERVAL_FLOOR_S": str(poll_interval_s),
        "REGALERTS_SCHEDULER_TICK_S": "0.2",
        "REGALERTS_SMTP_PORT": str(smtp_port),
        "REGALERTS_SMTP_TLS": "none",
    }


@dataclass
class Stack:
    """The service processes, by service name (several per name when replicated)."""

    children: dict[str, list[Child]]

    @classmethod
    def start(cls, env: dict[str, str], replicas: dict[str, int], logs: Path) -> Stack:
        """Start ``replicas[name]`` processes of each service and wait until every one is ready."""
        children: dict[str, list[Child]] = defaultdict(list)
        for name, count in replicas.items():
            for n in range(count):
                port = free_port()
                own = {**env, "REGALERTS_HTTP_PORT": str(port)}
                children[name].append(Child(name, port, own, logs / f"{name}-{n + 1}.log"))
        for child in (c for group in children.values() for c in group):
            child.start()
        for child in (c for group in children.values() for c in group):
            child.wait_ready(timeout=120)
        return cls(dict(children))

    def stop(self) -> None:
        """SIGTERM every process (SIGKILL after 20 s)."""
        for group in self.children.values():
            for child in group:
                child.stop(timeout=20)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds used so far by each service's processes and their children (ingest's parser)."""
        return {
            name: sum(_tree_cpu(c.process.pid) for c in group if c.process is not None)
            for name, group in self.children.items()
        }

    def metric(self, service: str, name: str, **labels: str) -> list[tuple[dict[str, str], float]]:
        """Samples of a metric summed over the replicas of ``service``, grouped by their labels."""
        summed: dict[tuple[tuple[str, str], ...], float] = defaultdict(float)
        for child in self.children[service]:
            text = httpx.get(f"{child.url}/metrics", timeout=10).text
            for metric, raw_labels, value in SAMPLE.findall(text):
                found = dict(re.findall(r'(\w+)="([^"]*)"', raw_labels))
                if metric == name and all(found.get(k) == v for k, v in labels.items()):
                    summed[tuple(sorted(found.items()))] += float(value)
        return [(dict(key), value) for key, value in summed.items()]

    def lag(self) -> int:
        """Messages not yet consumed by classify and notify (all partitions, all replicas)."""
        total = 0.0
        for service in ("classify", "notify"):
            total += sum(v for _, v in self.metric(service, "regalerts_consumer_lag_messages"))
        return int(total)


def _tree_cpu(pid: int) -> float:
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / TICKS
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _tree_cpu(int(child))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total
