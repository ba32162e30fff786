"""``--replicas ingest=I,classify=N,notify=M``: how many processes of each service ``regalerts up`` runs.

Replicas of classify and notify join their service's Kafka consumer group, which shares the topic's
partitions between them (replicas beyond the partition count idle); notify's replicas share the delivery
queue through the store. Ingest's replicas share the feed registry through the store.
"""

from __future__ import annotations

SERVICES = ("ingest", "classify", "notify")
MAX_REPLICAS = 32


def parse_replicas(value: str) -> dict[str, int]:
    """One process of each service, changed by ``NAME=COUNT`` pairs separated by commas; ValueError naming
    what is wrong otherwise."""
    replicas = dict.fromkeys(SERVICES, 1)
    for part in filter(None, (p.strip() for p in value.split(","))):
        name, sep, count = part.partition("=")
        name = name.strip()
        if not sep or name not in SERVICES:
            raise ValueError(f"expected NAME=COUNT with NAME one of {', '.join(SERVICES)}, got {part!r}")
        if not count.strip().isdigit() or not 1 <= int(count) <= MAX_REPLICAS:
            raise ValueError(f"the replicas of {name} must be a whole number from 1 to {MAX_REPLICAS}, got {count!r}")
        replicas[name] = int(count)
    return replicas


def replica_name(service: str, index: int, count: int) -> str:
    """How ``up`` names a process in its output and log file: ``classify``, or ``classify-2`` of several."""
    return service if count == 1 else f"{service}-{index + 1}"
