"""API keys, for machines: created (the key shown once), listed by name and prefix, revoked — through
notify's ``/v1/api-keys`` as the tenant."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.web.deps import ContextDep, FormDep, Viewer, ViewerDep, call_service, render
from services.web.notify_client import NotifyClient, NotifyError
from services.web.pages.subscriptions import NotifyDep

router = APIRouter(prefix="/api-keys", tags=["api keys"])
NOT_FOUND = "No such API key."


async def _page(
    request: Request, context: ContextDep, viewer: Viewer, notify: NotifyClient, status_code: int = 200, **values: Any
) -> HTMLResponse:
    keys = await call_service(notify.api_keys, not_found=NOT_FOUND)
    own = viewer.tenant.api_key
    for key in keys:  # the key this web app acts with (a key from before key prefixes were kept is not told)
        key["web_app"] = len(key["prefix"]) > len("rak_") and own.startswith(key["prefix"])
    values = {"errors": {}, "form": {"name": ""}, "created": None, **values}
    return render(context, request, "api_keys.html.j2", viewer, status_code, keys=keys, **values)


@router.get("", response_class=HTMLResponse, summary="API keys")
async def list_all(request: Request, context: ContextDep, viewer: ViewerDep, notify: NotifyDep) -> HTMLResponse:
    """The tenant's keys and a form to create one."""
    with notify:
        return await _page(request, context, viewer, notify)


@router.post("", summary="Create an API key")
async def create(
    request: Request, context: ContextDep, viewer: ViewerDep, notify: NotifyDep, form: FormDep
) -> HTMLResponse:
    """Create a key and show it once; errors beside the name, with what was typed."""
    typed = {"name": form.get("name", "")}
    with notify:
        if not typed["name"].strip():
            errors = {"name": "Give the key a name, e.g. what will use it."}
            return await _page(request, context, viewer, notify, 422, errors=errors, form=typed)
        try:
            created = await call_service(notify.create_api_key, typed["name"], not_found=NOT_FOUND)
        except NotifyError as exc:
            return await _page(request, context, viewer, notify, 422, errors=exc.field_errors(), form=typed)
        return await _page(request, context, viewer, notify, created=created)


@router.post("/{key_id}/revoke", summary="Revoke an API key")
async def revoke(
    key_id: str, request: Request, context: ContextDep, viewer: ViewerDep, notify: NotifyDep, form: FormDep
) -> Response:
    """Revoke a key; another tenant's is 404; the web app's own key cannot be revoked here (notify's 409)."""
    with notify:
        try:
            await call_service(notify.revoke_api_key, key_id, not_found=NOT_FOUND)
        except NotifyError as exc:
            if exc.status_code != status.HTTP_409_CONFLICT:
                raise
            errors = {"form": "This is the key the web app acts with: it cannot be revoked here."}
            return await _page(request, context, viewer, notify, 409, errors=errors)
    return RedirectResponse("/api-keys", status_code=status.HTTP_303_SEE_OTHER)
