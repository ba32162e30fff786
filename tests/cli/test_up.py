"""What `regalerts up` tells each service: its own port, and links that follow it."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest
from kafka import KafkaAdminClient

from services.cli.supervisor import BACKOFF_CAP_S, restart_delay
from services.cli.up import SERVICES, admin_token, make_children, restart_with_broker, write_env_file
from services.pipeline.broker import EmbeddedBroker, free_port


def test_notify_builds_its_links_on_the_port_it_actually_uses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGALERTS_PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("REGALERTS_WEB_PUBLIC_URL", raising=False)
    ports = {"ingest": 41001, "classify": 41002, "notify": 41003, "web": 41004}
    children = {child.name: child for child in make_children(tmp_path, {"REGALERTS_ADMIN_TOKEN": "t"}, ports)}
    assert children["notify"].env["REGALERTS_PUBLIC_BASE_URL"] == "http://127.0.0.1:41003"
    web = children["web"].env  # the web app's sign-in links and the APIs it calls follow the ports too
    assert web["REGALERTS_WEB_PUBLIC_URL"] == "http://127.0.0.1:41004"
    assert web["REGALERTS_WEB_NOTIFY_URL"] == "http://127.0.0.1:41003"
    assert web["REGALERTS_WEB_CLASSIFY_URL"] == "http://127.0.0.1:41002"
    assert web["REGALERTS_WEB_INGEST_URL"] == "http://127.0.0.1:41001"
    assert web["REGALERTS_WEB_INGEST_ADMIN_TOKEN"] == "t"  # the operators' feed pages act through ingest's API
    assert web["REGALERTS_WEB_NOTIFY_ADMIN_TOKEN"] == "t"  # and their tenant page through notify's
    assert children["notify"].env["REGALERTS_NOTIFY_ADMIN_TOKEN"] == "t"
    assert not any("ADMIN_TOKEN" in key for key in children["classify"].env)
    assert "REGALERTS_WEB_NOTIFY_URL" not in children["notify"].env
    assert not any("REGALERTS_WEB_" in key or "NOTIFY_ADMIN" in key for key in children["ingest"].env)
    assert {name: child.env["REGALERTS_HTTP_PORT"] for name, child in children.items()} == {
        name: str(port) for name, port in ports.items()
    }
    assert "REGALERTS_ADMIN_TOKEN" not in children["notify"].env
    assert "REGALERTS_ADMIN_TOKEN" not in web  # its own copy, under its own name
    assert children["ingest"].env["REGALERTS_ADMIN_TOKEN"] == "t"


def test_a_configured_public_url_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGALERTS_PUBLIC_BASE_URL", "https://alerts.example.org")
    ports = {service.name: 41000 + n for n, service in enumerate(SERVICES)}
    notify = next(child for child in make_children(tmp_path, {}, ports) if child.name == "notify")
    assert "REGALERTS_PUBLIC_BASE_URL" not in notify.env  # the child inherits the user's value


def test_the_env_file_names_every_url_and_is_private(tmp_path: Path) -> None:
    path = write_env_file(tmp_path, {"notify": "http://127.0.0.1:41003", "demo": "http://127.0.0.1:41000"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "export REGALERTS_NOTIFY_URL=http://127.0.0.1:41003\n" in text
    assert "export REGALERTS_DEMO_URL=http://127.0.0.1:41000\n" in text


def test_restarts_back_off_doubling_up_to_a_cap() -> None:
    delays = [restart_delay(n) for n in range(1, 10)]
    assert delays[:6] == [0, 1, 2, 4, 8, 16]
    assert delays[-1] == BACKOFF_CAP_S
    assert delays == sorted(delays)


def test_the_generated_admin_token_is_created_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGALERTS_ADMIN_TOKEN", raising=False)

    def no_chmod(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("created open, then chmod-ed")

    monkeypatch.setattr(Path, "chmod", no_chmod)
    previous = os.umask(0o022)
    try:
        token = admin_token(tmp_path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "admin-token").stat().st_mode) == 0o600
    assert len(token) >= 40
    assert admin_token(tmp_path) == token  # kept, not regenerated


def test_the_broker_comes_back_on_another_port_when_its_own_was_taken_meanwhile() -> None:
    with EmbeddedBroker(free_port()) as broker:
        old = broker.port
        broker.stop()  # it died...
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
            squatter.bind(("127.0.0.1", old))  # ...and another process took its port
            squatter.listen()
            restart_with_broker(broker, [], timeout_s=5)
        assert broker.port != old and broker.exit_code is None
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
        try:
            assert "regalerts.items.raw.v1" in admin.list_topics()
        finally:
            admin.close()
