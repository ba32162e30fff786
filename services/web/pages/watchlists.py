"""Watchlists: the tenant's own entities (names and aliases notify looks for in every item), through
notify's API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from services.web.deps import ContextDep, FormDep, Viewer, ViewerDep, render
from services.web.notify_client import NotifyClient, NotifyError
from services.web.pages.subscriptions import NotifyDep
from services.web.subscription_form import split

router = APIRouter(prefix="/watchlists", tags=["watchlists"])
KINDS = ("organisation", "person", "product", "other")


async def _page(
    request: Request, context: ContextDep, viewer: Viewer, notify: NotifyClient, status_code: int = 200, **values: Any
) -> HTMLResponse:
    entities = await run_in_threadpool(notify.watchlist)
    values = {"errors": {}, "form": {"name": "", "aliases": "", "kind": "organisation"}, **values}
    return render(context, request, "watchlists.html.j2", viewer, status_code, entities=entities, kinds=KINDS, **values)


@router.get("", response_class=HTMLResponse, summary="Watchlists")
async def list_all(request: Request, context: ContextDep, viewer: ViewerDep, notify: NotifyDep) -> HTMLResponse:
    """The tenant's watchlist and a form to add to it."""
    with notify:
        return await _page(request, context, viewer, notify)


@router.post("", summary="Add a watchlist entity")
async def add(request: Request, context: ContextDep, viewer: ViewerDep, notify: NotifyDep, form: FormDep) -> Response:
    """Add an entity; errors are shown beside their field with what was typed."""
    typed = {"name": form.get("name", "").strip(), "aliases": form.get("aliases", ""), "kind": form.get("kind", "")}
    body = {"name": typed["name"], "aliases": split(typed["aliases"]), "kind": typed["kind"]}
    with notify:
        if not typed["name"]:
            errors = {"name": "Give the entity a name."}
            return await _page(request, context, viewer, notify, 422, errors=errors, form=typed)
        try:
            await run_in_threadpool(notify.add_to_watchlist, body)
        except NotifyError as exc:
            return await _page(request, context, viewer, notify, 422, errors=exc.field_errors(), form=typed)
    return RedirectResponse("/watchlists", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/{entity_id}/delete", summary="Remove a watchlist entity")
async def remove(entity_id: str, viewer: ViewerDep, notify: NotifyDep, form: FormDep) -> Response:
    """Remove an entity; another tenant's is 404."""
    with notify:
        try:
            await run_in_threadpool(notify.remove_from_watchlist, entity_id)
        except NotifyError as exc:
            if exc.status_code == status.HTTP_404_NOT_FOUND:
                raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such watchlist entity.") from exc
            raise
    return RedirectResponse("/watchlists", status_code=status.HTTP_303_SEE_OTHER)
