"""Deliveries of one subscription: status, attempts and errors, next attempt; retry now."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from services.web.deps import ContextDep, FormDep, SessionDep, ViewerDep, render
from services.web.models import Item
from services.web.notify_client import NotifyError
from services.web.pages.subscriptions import NotifyDep

router = APIRouter(tags=["deliveries"])
STATUSES = ("pending", "delivered", "dead", "disabled")


@router.get("/subscriptions/{subscription_id}/deliveries", response_class=HTMLResponse, summary="Deliveries")
async def deliveries(
    subscription_id: str,
    request: Request,
    context: ContextDep,
    session: SessionDep,
    viewer: ViewerDep,
    notify: NotifyDep,
) -> HTMLResponse:
    """A subscription's deliveries, newest first, optionally of one status."""
    chosen = request.query_params.get("status", "")
    with notify:
        try:
            subscription = await run_in_threadpool(notify.subscription, subscription_id)
            rows = await run_in_threadpool(
                lambda: notify.deliveries(subscription_id, status=chosen if chosen in STATUSES else None)
            )
        except NotifyError as exc:
            if exc.status_code == status.HTTP_404_NOT_FOUND:
                raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such subscription.") from exc
            raise
    ids = {row["item_id"] for row in rows}
    items = {item.item_id: item for item in session.scalars(select(Item).where(Item.item_id.in_(ids)))}
    return render(
        context,
        request,
        "deliveries.html.j2",
        viewer,
        items=items,
        subscription=subscription,
        deliveries=rows,
        statuses=STATUSES,
        chosen=chosen,
    )


@router.post("/deliveries/{delivery_id}/retry", summary="Retry a delivery now")
async def retry(delivery_id: str, viewer: ViewerDep, notify: NotifyDep, form: FormDep) -> Response:
    """Make the delivery due now and go back to its subscription's deliveries."""
    with notify:
        try:
            delivery = await run_in_threadpool(notify.retry, delivery_id)
        except NotifyError as exc:
            if exc.status_code == status.HTTP_404_NOT_FOUND:
                raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such delivery.") from exc
            raise
    target = f"/subscriptions/{delivery['subscription_id']}/deliveries?retried={delivery_id}"
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
