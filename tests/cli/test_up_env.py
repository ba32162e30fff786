"""`regalerts up` gives each service the settings it needs and no other: notify learns classify's URL."""

from __future__ import annotations

from pathlib import Path

from services.cli.up import make_children
from tests.conftest import run_regalerts

PORTS = {"ingest": 41001, "classify": 41002, "notify": 41003, "web": 41004}


def test_notify_is_given_classify_url_and_only_ingest_the_admin_token(tmp_path: Path) -> None:
    env = {"REGALERTS_ADMIN_TOKEN": "t", "REGALERTS_DATABASE_URL": "x"}
    children = {c.name: c for c in make_children(tmp_path, env, PORTS)}
    assert children["notify"].env["REGALERTS_CLASSIFY_URL"] == children["classify"].url
    assert "REGALERTS_CLASSIFY_URL" not in children["ingest"].env | children["classify"].env | children["web"].env
    assert [name for name, child in children.items() if "REGALERTS_ADMIN_TOKEN" in child.env] == ["ingest"]
    assert {child.env["REGALERTS_DATABASE_URL"] for child in children.values()} == {"x"}
    assert {child.env["REGALERTS_HTTP_PORT"] for child in children.values()} == {str(c.port) for c in children.values()}


def test_replicas_are_processes_of_the_service_on_ports_and_logs_of_their_own(tmp_path: Path) -> None:
    env = {"REGALERTS_ADMIN_TOKEN": "t", "REGALERTS_DATABASE_URL": "x"}
    children = make_children(tmp_path, env, PORTS, {"ingest": 1, "classify": 2, "notify": 3})
    assert [c.name for c in children] == ["ingest", "classify", "classify", "notify", "notify", "notify", "web"]
    assert [c.log_path.name for c in children] == [
        "ingest.log", "classify-1.log", "classify-2.log", "notify-1.log", "notify-2.log", "notify-3.log", "web.log",
    ]  # fmt: skip
    assert [c.port for c in children][:2] == [41001, 41002] and len({c.port for c in children}) == 7
    assert all(c.env["REGALERTS_HTTP_PORT"] == str(c.port) for c in children)
    assert [c.name for c in children if "REGALERTS_ADMIN_TOKEN" in c.env] == ["ingest"]
    assert "REGALERTS_REPLICA_ID" not in children[0].env  # one ingest: the host name, as in production
    two = make_children(tmp_path, env, PORTS, {"ingest": 2})[:2]
    assert len({c.env["REGALERTS_REPLICA_ID"] for c in two}) == 2  # each leases feeds under its own id
    # unsubscribe links all point at the first notify, whichever replica built them
    assert {c.env["REGALERTS_PUBLIC_BASE_URL"] for c in children if c.name == "notify"} == {"http://127.0.0.1:41003"}


def test_a_wrong_replica_count_is_refused_before_anything_starts(tmp_path: Path) -> None:
    result = run_regalerts("up", "--var", str(tmp_path), "--replicas", "classify=0")
    assert result.returncode == 2
    assert "the replicas of classify must be a whole number from 1 to 32" in result.stderr
    assert not (tmp_path / "logs").exists()
