"""`regalerts up` gives each service the settings it needs and no other: notify learns classify's URL."""

from __future__ import annotations

from pathlib import Path

from services.cli.up import make_children

PORTS = {"ingest": 41001, "classify": 41002, "notify": 41003}


def test_notify_is_given_classify_url_and_only_ingest_the_admin_token(tmp_path: Path) -> None:
    env = {"REGALERTS_ADMIN_TOKEN": "t", "REGALERTS_DATABASE_URL": "x"}
    children = {c.name: c for c in make_children(tmp_path, env, PORTS)}
    assert children["notify"].env["REGALERTS_CLASSIFY_URL"] == children["classify"].url
    assert "REGALERTS_CLASSIFY_URL" not in children["ingest"].env | children["classify"].env
    assert [name for name, child in children.items() if "REGALERTS_ADMIN_TOKEN" in child.env] == ["ingest"]
    assert {child.env["REGALERTS_DATABASE_URL"] for child in children.values()} == {"x"}
    assert {child.env["REGALERTS_HTTP_PORT"] for child in children.values()} == {str(c.port) for c in children.values()}
