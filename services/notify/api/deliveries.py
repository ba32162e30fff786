"""/v1/deliveries: every alert sent or to be sent, with its attempts; replay one (tenant-scoped)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status

from services.notify.api.deps import CurrentTenant, SessionDep, not_found
from services.notify.models import Attempt, Delivery
from services.notify.queue import attempts_of, list_deliveries, replay
from services.notify.schemas import AttemptPublic, DeliveryPage, DeliveryPublic
from services.pipeline.db import utcnow
from services.pipeline.paging import LINK_HEADER, Pager
from services.pipeline.paging import pager as pager_of

router = APIRouter(prefix="/v1/deliveries", tags=["deliveries"])


def to_public(delivery: Delivery, attempts: list[Attempt]) -> DeliveryPublic:
    """The API view of a delivery."""
    return DeliveryPublic.model_validate(
        {
            "id": delivery.id,
            "subscription_id": delivery.subscription_id,
            "item_id": delivery.item_id,
            "kind": delivery.kind,
            "channel": delivery.channel,
            "status": delivery.status,
            "attempts": [AttemptPublic.model_validate(a, from_attributes=True) for a in attempts],
            "next_attempt_at": delivery.next_attempt_at if delivery.status == "pending" else None,
            "created_at": delivery.created_at,
            "delivered_at": delivery.delivered_at,
        }
    )


@router.get("", summary="List deliveries, newest first", responses={200: {"headers": LINK_HEADER}})
def list_page(
    session: SessionDep,
    tenant: CurrentTenant,
    pager: Annotated[Pager, Depends(pager_of(50))],
    subscription_id: Annotated[str | None, Query(max_length=64)] = None,
    status_: Annotated[Literal["pending", "delivered", "dead", "disabled"] | None, Query(alias="status")] = None,
) -> DeliveryPage:
    """The tenant's deliveries, filtered by subscription and status, a page at a time."""
    page = pager.page
    rows, history = list_deliveries(
        session, tenant_id=tenant.id, subscription_id=subscription_id, status=status_, page=page
    )
    kept, cursor = pager.cut(rows)
    by_offset = cursor is not None and page.after is None
    next_offset = page.offset + page.limit if by_offset else None
    return DeliveryPage(
        items=[to_public(row, history[row.id]) for row in kept], next_cursor=cursor, next_offset=next_offset
    )


@router.post("/{delivery_id}/retry", status_code=status.HTTP_202_ACCEPTED, summary="Send one delivery again now")
def retry(delivery_id: str, session: SessionDep, tenant: CurrentTenant) -> DeliveryPublic:
    """Make the delivery due now, whatever its state (a replay keeps its id, so receivers can deduplicate)."""
    row = replay(session, tenant_id=tenant.id, delivery_id=delivery_id, now=utcnow())
    if row is None:
        raise not_found("delivery")
    session.commit()
    return to_public(row, attempts_of(session, delivery_id=row.id))
