"""``regalerts tenants create NAME | list`` and ``regalerts subscriptions list --tenant NAME_OR_ID``."""

from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.notify.settings import NotifySettings
from services.notify.store import TenantExists, create_tenant, find_tenant, list_subscriptions, list_tenants
from services.notify.views import to_public
from services.pipeline.db import make_engine, make_session_factory


def _sessions(settings: NotifySettings) -> sessionmaker[Session]:
    return make_session_factory(make_engine(settings.database_url))


def _create_tenant(args: argparse.Namespace) -> int:
    try:
        with _sessions(NotifySettings()).begin() as session:
            tenant, api_key = create_tenant(session, name=args.name)
            tenant_id = tenant.id
    except TenantExists as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except IntegrityError:  # created by another process between the check and the insert
        print(f"error: a tenant named {args.name!r} exists already", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"tenant_id": tenant_id, "api_key": api_key}))
        return 0
    if args.key_only:
        print(api_key)
        return 0
    print(f"tenant id: {tenant_id}")
    print(f"API key:   {api_key}")
    print("The API key is shown only now; keep it (the store holds only its hash).")
    return 0


def _list_tenants(_args: argparse.Namespace) -> int:
    with _sessions(NotifySettings())() as session:
        for tenant in list_tenants(session):
            print(json.dumps({"id": tenant.id, "name": tenant.name, "created_at": tenant.created_at.isoformat()}))
    return 0


def _list_subscriptions(args: argparse.Namespace) -> int:
    with _sessions(NotifySettings())() as session:
        tenant = find_tenant(session, id_or_name=args.tenant)
        if tenant is None:
            print(f"error: no tenant has the id or name {args.tenant!r} (see regalerts tenants list)", file=sys.stderr)
            return 1
        for subscription in list_subscriptions(session, tenant_id=tenant.id):
            print(json.dumps(to_public(subscription).model_dump(mode="json"), ensure_ascii=False))
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the tenant and subscription commands."""
    tenants = subparsers.add_parser("tenants", help="notify tenants").add_subparsers(
        dest="tenants_command", required=True
    )
    create = tenants.add_parser("create", help="create a tenant and print its API key (once)")
    create.add_argument("name", help="the tenant's name, unique")
    output = create.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help='print {"tenant_id": ..., "api_key": ...}')
    output.add_argument("--key-only", action="store_true", help="print the API key alone (KEY=$(regalerts ...))")
    create.set_defaults(func=_create_tenant)
    listing = tenants.add_parser("list", help="every tenant (id, name, created_at), one JSON object per line")
    listing.set_defaults(func=_list_tenants)
    subscriptions = subparsers.add_parser("subscriptions", help="notify subscriptions").add_subparsers(
        dest="subscriptions_command", required=True
    )
    listing = subscriptions.add_parser("list", help="a tenant's subscriptions, one JSON object per line")
    listing.add_argument("--tenant", required=True, help="the tenant's id or name")
    listing.set_defaults(func=_list_subscriptions)
