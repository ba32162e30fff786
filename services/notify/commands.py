"""``regalerts tenants create NAME`` and ``regalerts subscriptions list --tenant ID``."""

from __future__ import annotations

import argparse
import json

from sqlalchemy.orm import Session, sessionmaker

from services.notify.settings import NotifySettings
from services.notify.store import create_tenant, list_subscriptions, to_public
from services.pipeline.db import make_engine, make_session_factory


def _sessions(settings: NotifySettings) -> sessionmaker[Session]:
    return make_session_factory(make_engine(settings.database_url))


def _create_tenant(args: argparse.Namespace) -> int:
    with _sessions(NotifySettings()).begin() as session:
        tenant, api_key = create_tenant(session, name=args.name)
        tenant_id = tenant.id
    if args.json:
        print(json.dumps({"tenant_id": tenant_id, "api_key": api_key}))
        return 0
    print(f"tenant id: {tenant_id}")
    print(f"API key:   {api_key}")
    print("The API key is shown only now; keep it (the store holds only its hash).")
    return 0


def _list_subscriptions(args: argparse.Namespace) -> int:
    with _sessions(NotifySettings())() as session:
        for subscription in list_subscriptions(session, tenant_id=args.tenant):
            print(json.dumps(to_public(subscription).model_dump(mode="json"), ensure_ascii=False))
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the tenant and subscription commands."""
    tenants = subparsers.add_parser("tenants", help="notify tenants").add_subparsers(
        dest="tenants_command", required=True
    )
    create = tenants.add_parser("create", help="create a tenant and print its API key (once)")
    create.add_argument("name")
    create.add_argument("--json", action="store_true", help='print {"tenant_id": ..., "api_key": ...}')
    create.set_defaults(func=_create_tenant)
    subscriptions = subparsers.add_parser("subscriptions", help="notify subscriptions").add_subparsers(
        dest="subscriptions_command", required=True
    )
    listing = subscriptions.add_parser("list", help="a tenant's subscriptions, one JSON object per line")
    listing.add_argument("--tenant", required=True, help="tenant id")
    listing.set_defaults(func=_list_subscriptions)
