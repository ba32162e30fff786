"""``regalerts users add EMAIL --tenant NAME`` and ``regalerts users link EMAIL``: members of the web app.

The web app acts for a tenant through notify's API with that tenant's API key, kept in the web store and
never shown. Adding the first member of a tenant the web app does not know creates the notify tenant and
its key; for a tenant created earlier (``regalerts tenants create``), pass its key with ``--api-key-file``.
This command is the one place that touches both services' stores, which is why it lives in services/cli.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notify.api_keys import tenant_by_api_key
from services.notify.models import Tenant
from services.notify.store import create_tenant
from services.pipeline.db import make_engine, make_session_factory
from services.web.accounts import add_member, find_tenant, member_by_email, register_tenant
from services.web.auth import signin_url
from services.web.models import WebTenant
from services.web.settings import WebSettings


def ensure_web_tenant(session: Session, *, name: str, api_key_file: str | None) -> WebTenant:
    """The web app's tenant called ``name`` (or with that id), creating or linking the notify tenant."""
    known = find_tenant(session, name_or_id=name)
    if known is not None and api_key_file is None:
        return known
    if api_key_file is not None:
        api_key = Path(api_key_file).read_text(encoding="utf-8").strip()
        tenant = tenant_by_api_key(session, api_key=api_key)
        if tenant is None or name not in (tenant.id, tenant.name):
            raise ValueError(f"the key in {api_key_file} is not an API key of tenant {name!r}")
        return register_tenant(session, tenant_id=tenant.id, name=tenant.name, api_key=api_key)
    if session.scalars(select(Tenant).where((Tenant.name == name) | (Tenant.id == name))).first() is not None:
        raise ValueError(f"tenant {name!r} exists: pass its API key with --api-key-file so the web app can act for it")
    created, api_key = create_tenant(session, name=name)
    return register_tenant(session, tenant_id=created.id, name=created.name, api_key=api_key)


def signin_link(session: Session, settings: WebSettings, *, email: str) -> str:
    """A one-time sign-in link for a member (ValueError when the address is not a member's)."""
    member = member_by_email(session, email=email)
    if member is None:
        raise ValueError(f"{email} is not a member: add it with regalerts users add")
    return signin_url(session, settings, member=member)


def demo_member_link(database_url: str, *, api_key: str, web_url: str) -> str:
    """The demo member (an operator) of the demo tenant (whose notify key is ``api_key``), and a sign-in link
    for them."""
    from services.cli.demo import DEMO_MEMBER

    settings = WebSettings(database_url=database_url, web_public_url=web_url)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            tenant = tenant_by_api_key(session, api_key=api_key)
            if tenant is None:
                raise ValueError("the demo tenant's key is not a notify API key")
            web_tenant = register_tenant(session, tenant_id=tenant.id, name=tenant.name, api_key=api_key)
            member = member_by_email(session, email=DEMO_MEMBER)
            if member is not None:  # a demo tenant of an earlier run (its key lost): the member moves over
                member.tenant_id, member.operator = web_tenant.id, True
            else:  # the person running the demo operates it: the Feeds pages show the demo's feeds
                add_member(session, email=DEMO_MEMBER, tenant=web_tenant, operator=True)
            return signin_link(session, settings, email=DEMO_MEMBER)
    finally:
        engine.dispose()


def _add(args: argparse.Namespace) -> int:
    settings = WebSettings()
    with make_session_factory(make_engine(settings.database_url)).begin() as session:
        tenant = ensure_web_tenant(session, name=args.tenant, api_key_file=args.api_key_file)
        member = add_member(session, email=args.email, tenant=tenant, operator=args.operator)
        role = "operator" if member.operator else "member"
        print(f"{member.email}: {role} of tenant {tenant.name} ({tenant.id})")
    return 0


def _link(args: argparse.Namespace) -> int:
    settings = WebSettings()
    with make_session_factory(make_engine(settings.database_url)).begin() as session:
        print(signin_link(session, settings, email=args.email))
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``users add`` and ``users link``."""
    users = subparsers.add_parser("users", help="members of the web app").add_subparsers(
        dest="users_command", required=True
    )
    add = users.add_parser("add", help="add a member to a tenant (creating the tenant when new)")
    add.add_argument("email")
    add.add_argument("--tenant", required=True, help="tenant name or id")
    add.add_argument("--operator", action="store_true", help="may manage feeds and tenants")
    add.add_argument("--api-key-file", help="file holding the API key of an existing notify tenant")
    add.set_defaults(func=_add)
    link = users.add_parser("link", help="print a one-time sign-in link for a member")
    link.add_argument("email")
    link.set_defaults(func=_link)
