"""The port of each process ``regalerts up`` starts: the one the user configured (taken: an error), else the
default when it is free, else any free port, with a line saying which default was busy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from services.pipeline.broker import free_port, port_is_free


@dataclass
class PortPlan:
    """The port of each process, and a sentence for each default that was busy."""

    ports: dict[str, int] = field(default_factory=dict)
    moved: list[str] = field(default_factory=list)


def parse_port_options(values: Iterable[str], known: Iterable[str]) -> dict[str, int]:
    """``["notify=9003", ...]`` as ``{"notify": 9003}``; ValueError names a malformed or unknown entry."""
    names = set(known)
    ports: dict[str, int] = {}
    for value in values:
        name, sep, number = value.partition("=")
        if not sep or name not in names or not number.isdigit() or not 0 < int(number) < 65536:
            raise ValueError(f"--port {value}: expected NAME=PORT with NAME one of {', '.join(sorted(names))}")
        ports[name] = int(number)
    return ports


def plan_ports(defaults: Mapping[str, int], configured: Mapping[str, int], host: str = "127.0.0.1") -> PortPlan:
    """Choose every port; ValueError when a configured port is taken or given twice."""
    plan = PortPlan()
    taken = list(configured.values())
    duplicates = {port for port in taken if taken.count(port) > 1}
    if duplicates:
        raise ValueError(f"--port: port {min(duplicates)} is given to more than one process")
    for name, default in defaults.items():
        if name in configured:
            port = configured[name]
            if not port_is_free(host, port):
                raise ValueError(f"--port {name}={port}: port {port} is taken (another process listens there)")
        elif default not in taken and port_is_free(host, default):
            port = default
        else:
            port = free_port(host)
            while port in taken:
                port = free_port(host)
            plan.moved.append(f"port {default} ({name}'s default) is busy: {name} uses port {port}")
        plan.ports[name] = port
        taken.append(port)
    return plan
