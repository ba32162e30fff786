"""Subscriptions: list, create and edit (with a preview of the last 30 days), pause/resume, test-send and
secret rotation, all through notify's API as the tenant."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from services.pipeline.db import utcnow
from services.web.deps import ContextDep, FormDep, SessionDep, Viewer, ViewerDep, call_service, render
from services.web.notify_client import NotifyClient, NotifyError
from services.web.preview import Preview, preview
from services.web.subscription_form import ACTIONS, blank_form, body_of, form_of, summary, where_to

NOT_FOUND = "No such subscription."
router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])


def notify_for(viewer: ViewerDep, context: ContextDep) -> NotifyClient:
    """notify's API, as the viewer's tenant."""
    return NotifyClient(context.settings.web_notify_url, viewer.tenant.api_key)


NotifyDep = Annotated[NotifyClient, Depends(notify_for)]


async def list_page(
    request: Request, context: ContextDep, viewer: Viewer, notify: NotifyClient, status_code: int = 200, **notice: Any
) -> HTMLResponse:
    """The list, with a notice (a secret shown once, a test outcome) when there is one."""
    subscriptions = await call_service(notify.subscriptions, not_found=NOT_FOUND)
    return render(
        context,
        request,
        "subscriptions.html.j2",
        viewer,
        status_code,
        subscriptions=subscriptions,
        summary=summary,
        where_to=where_to,
        notice=notice,
    )


@router.get("", response_class=HTMLResponse, summary="Subscriptions")
async def list_all(request: Request, context: ContextDep, viewer: ViewerDep, notify: NotifyDep) -> HTMLResponse:
    """The tenant's subscriptions."""
    with notify:
        return await list_page(request, context, viewer, notify)


def _form_page(
    context: ContextDep, request: Request, viewer: Viewer, session: SessionDep, form: dict[str, str], **values: Any
) -> HTMLResponse:
    values = {"errors": {}, "preview": None, "action": "/subscriptions/new", "editing": False, **values}
    status_code = 422 if values["errors"] else 200
    return render(
        context, request, "subscription_form.html.j2", viewer, status_code, form=form, actions=ACTIONS, **values
    )


async def _preview(
    session: Session, notify: NotifyClient, filters: dict[str, Any], errors: dict[str, str]
) -> tuple[Preview | None, dict[str, str]]:
    """notify's verdict on the last 30 days, and the form's errors with notify's complaints about the filters."""
    if "actions" in errors:  # an unknown action: notify would refuse the filters
        return None, errors
    try:
        return await run_in_threadpool(preview, session, notify, filters=filters, now=utcnow()), errors
    except NotifyError as exc:
        return None, {**exc.field_errors(), **errors}


@router.get("/new", response_class=HTMLResponse, summary="New subscription")
def new(request: Request, context: ContextDep, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    """An empty form."""
    return _form_page(context, request, viewer, session, blank_form())


async def _save(
    request: Request, context: ContextDep, session: SessionDep, viewer: Viewer, notify: NotifyClient,
    form: dict[str, str], subscription_id: str | None,
) -> Response:  # fmt: skip
    action = f"/subscriptions/{subscription_id}/edit" if subscription_id else "/subscriptions/new"
    page = {"action": action, "editing": bool(subscription_id)}
    form = {**blank_form(), **form}  # unchecked boxes and absent fields are sent as nothing
    body, errors = body_of(form)
    if form.get("intent") == "preview" or errors:
        shown, errors = await _preview(session, notify, body["filters"], errors)
        return _form_page(context, request, viewer, session, form, errors=errors, preview=shown, **page)
    try:
        if subscription_id:
            saved = await call_service(notify.update, subscription_id, body, not_found=NOT_FOUND)
        else:
            saved = await call_service(notify.create, body, not_found=NOT_FOUND)
    except NotifyError as exc:
        return _form_page(context, request, viewer, session, form, errors=exc.field_errors(), **page)
    if saved.get("secret"):
        return await list_page(request, context, viewer, notify, secret=saved["secret"], name=saved["name"])
    return RedirectResponse("/subscriptions", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/new", summary="Create a subscription, or preview it")
async def create(
    request: Request, context: ContextDep, session: SessionDep, viewer: ViewerDep, notify: NotifyDep, form: FormDep
) -> Response:
    """Preview (intent=preview) or save; errors are shown next to their field with what was typed."""
    with notify:
        return await _save(request, context, session, viewer, notify, form, None)


@router.get("/{subscription_id}/edit", response_class=HTMLResponse, summary="Edit a subscription")
async def edit(
    subscription_id: str,
    request: Request,
    context: ContextDep,
    session: SessionDep,
    viewer: ViewerDep,
    notify: NotifyDep,
) -> HTMLResponse:
    """The form filled with the subscription."""
    with notify:
        subscription = await call_service(notify.subscription, subscription_id, not_found=NOT_FOUND)
    form = form_of(subscription)
    return _form_page(
        context, request, viewer, session, form, action=f"/subscriptions/{subscription_id}/edit", editing=True
    )


@router.post("/{subscription_id}/edit", summary="Change a subscription, or preview it")
async def update(
    subscription_id: str,
    request: Request,
    context: ContextDep,
    session: SessionDep,
    viewer: ViewerDep,
    notify: NotifyDep,
    form: FormDep,
) -> Response:
    """Preview or save the changes."""
    with notify:
        await call_service(notify.subscription, subscription_id, not_found=NOT_FOUND)
        return await _save(request, context, session, viewer, notify, form, subscription_id)


@router.post("/{subscription_id}/pause", summary="Pause or resume")
async def pause(subscription_id: str, viewer: ViewerDep, notify: NotifyDep, form: FormDep) -> Response:
    """Pause (paused=1) or resume (paused=0)."""
    with notify:
        await call_service(notify.set_paused, subscription_id, form.get("paused") == "1", not_found=NOT_FOUND)
    return RedirectResponse("/subscriptions", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/{subscription_id}/test", response_class=HTMLResponse, summary="Send a sample alert")
async def test_send(
    subscription_id: str, request: Request, context: ContextDep, viewer: ViewerDep, notify: NotifyDep, form: FormDep
) -> HTMLResponse:
    """Send a sample alert now and show the real outcome."""
    with notify:
        outcome = await call_service(notify.test, subscription_id, not_found=NOT_FOUND)
        return await list_page(request, context, viewer, notify, test=outcome, subscription_id=subscription_id)


@router.post("/{subscription_id}/rotate-secret", response_class=HTMLResponse, summary="Rotate the signing secret")
async def rotate(
    subscription_id: str, request: Request, context: ContextDep, viewer: ViewerDep, notify: NotifyDep, form: FormDep
) -> HTMLResponse:
    """A new signing secret, shown once."""
    with notify:
        try:
            rotated = await call_service(notify.rotate_secret, subscription_id, not_found=NOT_FOUND)
        except NotifyError as exc:
            return await list_page(request, context, viewer, notify, 409, error=str(exc.detail))
        return await list_page(request, context, viewer, notify, secret=rotated["secret"], rotated=rotated)
