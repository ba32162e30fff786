"""`regalerts up` honours configured ports, and moves off a busy default saying so."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from services.cli.ports import parse_port_options, plan_ports
from services.pipeline.broker import free_port


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port something listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_a_free_default_is_kept() -> None:
    port = free_port()
    plan = plan_ports({"notify": port}, {})
    assert plan.ports == {"notify": port}
    assert plan.moved == []


def test_a_busy_default_moves_and_says_so(busy_port: int) -> None:
    plan = plan_ports({"ingest": busy_port, "notify": busy_port}, {})
    assert busy_port not in plan.ports.values()
    assert plan.ports["ingest"] != plan.ports["notify"]
    assert plan.moved == [
        f"port {busy_port} (ingest's default) is busy: ingest uses port {plan.ports['ingest']}",
        f"port {busy_port} (notify's default) is busy: notify uses port {plan.ports['notify']}",
    ]


def test_a_configured_port_is_used() -> None:
    port = free_port()
    plan = plan_ports({"notify": 1}, {"notify": port})
    assert plan.ports == {"notify": port}
    assert plan.moved == []


def test_a_configured_port_that_is_taken_is_an_error_not_moved(busy_port: int) -> None:
    with pytest.raises(ValueError, match=f"--port notify={busy_port}: port {busy_port} is taken"):
        plan_ports({"notify": free_port()}, {"notify": busy_port})


def test_a_default_is_not_given_to_a_second_process_when_configured_for_the_first() -> None:
    port = free_port()
    plan = plan_ports({"ingest": 1, "notify": port}, {"ingest": port})
    assert plan.ports["ingest"] == port
    assert plan.ports["notify"] != port


@pytest.mark.parametrize("value", ["notify", "notify=", "notify=x", "web=8000", "notify=70000", "=1"])
def test_malformed_port_options_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="expected NAME=PORT with NAME one of classify, notify"):
        parse_port_options([value], ["notify", "classify"])


def test_the_same_port_twice_is_refused() -> None:
    port = free_port()
    with pytest.raises(ValueError, match="given to more than one process"):
        plan_ports({"ingest": 1, "notify": 2}, {"ingest": port, "notify": port})
