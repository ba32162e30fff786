"""``regalerts users add`` and ``users link``: members, the tenant key the web app holds, printed links."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.cli.database import upgrade
from services.cli.users import demo_member_link
from services.notify.api_keys import tenant_by_api_key
from services.notify.models import Tenant
from services.notify.store import create_tenant
from services.pipeline.db import make_engine
from services.web.models import Member, WebTenant
from tests.conftest import run_regalerts


def test_add_creates_the_tenant_and_its_key_then_prints_a_link(sqlite_url: str, tmp_path: Path) -> None:
    upgrade(sqlite_url)
    env = {"REGALERTS_DATABASE_URL": sqlite_url}
    added = run_regalerts("users", "add", "Alice@Acme.example", "--tenant", "acme", "--operator", env=env)
    assert added.returncode == 0, added.stderr
    assert "alice@acme.example: operator of tenant acme" in added.stdout
    assert run_regalerts("users", "add", "carol@acme.example", "--tenant", "acme", env=env).returncode == 0
    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        web_tenant = session.scalars(select(WebTenant)).one()
        assert tenant_by_api_key(session, api_key=web_tenant.api_key) is not None  # a working notify key
        assert session.scalar(select(Tenant.name)) == "acme"
        assert {m.email for m in session.scalars(select(Member))} == {"alice@acme.example", "carol@acme.example"}
    assert web_tenant.api_key not in added.stdout
    link = run_regalerts("users", "link", "alice@acme.example", env=env)
    assert link.returncode == 0 and link.stdout.startswith("http://127.0.0.1:8704/signin/")
    stranger = run_regalerts("users", "link", "mallory@evil.example", env=env)
    assert stranger.returncode == 2 and "not a member" in stranger.stderr
    engine.dispose()


def test_an_existing_notify_tenant_needs_its_key(sqlite_url: str, tmp_path: Path) -> None:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    with Session(engine) as session, session.begin():
        _, key = create_tenant(session, name="globex")
    env = {"REGALERTS_DATABASE_URL": sqlite_url}
    refused = run_regalerts("users", "add", "bob@globex.example", "--tenant", "globex", env=env)
    assert refused.returncode == 2 and "--api-key-file" in refused.stderr
    wrong = tmp_path / "wrong"
    wrong.write_text("rak_not-a-key")
    assert (
        run_regalerts(
            "users", "add", "bob@globex.example", "--tenant", "globex", "--api-key-file", str(wrong), env=env
        ).returncode
        == 2
    )
    right = tmp_path / "key"
    right.write_text(key + "\n")
    ok = run_regalerts(
        "users", "add", "bob@globex.example", "--tenant", "globex", "--api-key-file", str(right), env=env
    )
    assert ok.returncode == 0, ok.stderr
    with Session(engine) as session:
        assert session.scalars(select(WebTenant.api_key)).one() == key
    engine.dispose()


def test_the_demo_member_follows_a_new_demo_tenant(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    with Session(engine) as session, session.begin():
        keys = [create_tenant(session, name=name)[1] for name in ("demo-1", "demo-2")]
    first = demo_member_link(sqlite_url, api_key=keys[0], web_url="http://127.0.0.1:8704")
    second = demo_member_link(sqlite_url, api_key=keys[1], web_url="http://127.0.0.1:8704")
    assert first.startswith("http://127.0.0.1:8704/signin/") and second != first
    with Session(engine) as session:
        member = session.scalars(select(Member)).one()
        assert session.get(WebTenant, member.tenant_id).name == "demo-2"  # type: ignore[union-attr]
        assert member.operator  # the person running the demo operates its feeds
    engine.dispose()
