"""One item: its text with each tag's evidence highlighted, the tags, and what was delivered to the tenant."""

from __future__ import annotations

import logging

import httpx
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from services.web.deps import ContextDep, SessionDep, ViewerDep, render
from services.web.highlight import segments
from services.web.models import DeliveryView, Item
from services.web.notify_client import NotifyClient, NotifyError

log = logging.getLogger(__name__)

router = APIRouter(tags=["items"])


@router.get("/items/{item_pk}", response_class=HTMLResponse, summary="Item")
def item_page(
    item_pk: int, request: Request, context: ContextDep, session: SessionDep, viewer: ViewerDep
) -> HTMLResponse:
    """The item with its evidence, its tags and this tenant's deliveries of it."""
    item = session.get(Item, item_pk)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such item.")
    tenant_id = viewer.tenant.id
    deliveries = list(
        session.scalars(
            select(DeliveryView)
            .where(DeliveryView.tenant_id == tenant_id, DeliveryView.item_id == item.item_id)
            .order_by(DeliveryView.attempted_at.desc())
        )
    )
    return render(
        context,
        request,
        "item.html.j2",
        viewer,
        subscription_names=_subscription_names(context.settings.web_notify_url, viewer.tenant.api_key)
        if deliveries
        else {},
        item=item,
        tags=item.tags,
        title_segments=segments(item.title, item.tags, field="title"),
        summary_segments=segments(item.summary, item.tags, field="summary"),
        deliveries=deliveries,
    )


def _subscription_names(notify_url: str, api_key: str) -> dict[str, str]:
    """The tenant's subscriptions by id, from notify; empty when notify does not answer (ids are shown)."""
    try:
        with NotifyClient(notify_url, api_key) as notify:
            return {s["id"]: s["name"] for s in notify.subscriptions()}
    except (NotifyError, httpx.HTTPError) as exc:
        log.warning("Subscription names unavailable", extra={"error": str(exc)[:300]})
        return {}
