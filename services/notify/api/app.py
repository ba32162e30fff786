"""The notify FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from services.notify.api import api_keys, deliveries, subscriptions, tenants, unsubscribe, watchlists
from services.notify.api.deps import NotifyContext
from services.pipeline.api import service_app
from services.pipeline.http import ReadyCheck, ops_router

DESCRIPTION = """Subscriptions, deliveries and watchlists of RegAlerts tenants.

Every `/v1` call needs `Authorization: Bearer <API key>` (`regalerts tenants create NAME` prints one).
Another tenant's ids answer 404, exactly like ids that do not exist. `/v1/tenants` is the operators' API:
it needs the admin token (REGALERTS_NOTIFY_ADMIN_TOKEN) instead."""


def create_app(context: NotifyContext, ready_checks: dict[str, ReadyCheck]) -> FastAPI:
    """The API with its routers and the operational routes (healthz, readyz, metrics)."""
    app = service_app(title="RegAlerts notify", description=DESCRIPTION)
    app.state.notify = context
    app.include_router(ops_router(ready_checks))
    app.include_router(subscriptions.router)
    app.include_router(deliveries.router)
    app.include_router(watchlists.router)
    app.include_router(api_keys.router)
    app.include_router(tenants.router)
    app.include_router(unsubscribe.router)
    return app
