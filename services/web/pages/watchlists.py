"""Watchlists: the tenant's own entities (names and aliases notify looks for in every item), added, edited
in place and removed through notify's API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.web.deps import ContextDep, FormDep, Viewer, ViewerDep, call_service, render
from services.web.notify_client import NotifyClient, NotifyError
from services.web.pages.subscriptions import NotifyDep
from services.web.subscription_form import split

router = APIRouter(prefix="/watchlists", tags=["watchlists"])
KINDS = ("organisation", "person", "product", "other")
NOT_FOUND = "No such watchlist entity."


async def _page(
    request: Request, context: ContextDep, viewer: Viewer, notify: NotifyClient, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """The list and the add form; ``editing``: the id of the entity shown as a form in its row."""
    entities = await call_service(notify.watchlist, not_found=NOT_FOUND)
    editing = values.get("editing")
    if editing is not None and not any(e["id"] == editing for e in entities):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    values = {
        "errors": {},
        "form": _typed({"kind": "organisation"}),
        "editing": None,
        "edit_form": None,
        "edit_errors": {},
        **values,
    }
    return render(context, request, "watchlists.html.j2", viewer, status_code, entities=entities, kinds=KINDS, **values)


def _typed(form: dict[str, str]) -> dict[str, str]:
    return {"name": form.get("name", "").strip(), "aliases": form.get("aliases", ""), "kind": form.get("kind", "")}


def _body(typed: dict[str, str]) -> dict[str, Any]:
    return {"name": typed["name"], "aliases": split(typed["aliases"]), "kind": typed["kind"]}


NO_NAME = {"name": "Give the entity a name."}


@router.get("", response_class=HTMLResponse, summary="Watchlists")
async def list_all(
    request: Request, context: ContextDep, viewer: ViewerDep, notify: NotifyDep, edit: str | None = None
) -> HTMLResponse:
    """The tenant's watchlist and a form to add to it; ``?edit=<id>`` shows that entity as a form in its row."""
    with notify:
        return await _page(request, context, viewer, notify, editing=edit)


@router.post("", summary="Add a watchlist entity")
async def add(request: Request, context: ContextDep, viewer: ViewerDep, notify: NotifyDep, form: FormDep) -> Response:
    """Add an entity; errors are shown beside their field with what was typed."""
    typed = _typed(form)
    with notify:
        if not typed["name"]:
            return await _page(request, context, viewer, notify, 422, errors=NO_NAME, form=typed)
        try:
            await call_service(notify.add_to_watchlist, _body(typed), not_found=NOT_FOUND)
        except NotifyError as exc:
            return await _page(request, context, viewer, notify, 422, errors=exc.field_errors(), form=typed)
    return RedirectResponse("/watchlists", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/{entity_id}", summary="Change a watchlist entity")
async def change(
    entity_id: str, request: Request, context: ContextDep, viewer: ViewerDep, notify: NotifyDep, form: FormDep
) -> Response:
    """Save the row's form; errors are shown in the row with what was typed; another tenant's id is 404."""
    typed = _typed(form)
    again = {"editing": entity_id, "edit_form": typed}
    with notify:
        if not typed["name"]:
            return await _page(request, context, viewer, notify, 422, edit_errors=NO_NAME, **again)
        try:
            await call_service(notify.update_watchlist_entity, entity_id, _body(typed), not_found=NOT_FOUND)
        except NotifyError as exc:
            return await _page(request, context, viewer, notify, 422, edit_errors=exc.field_errors(), **again)
    return RedirectResponse(f"/watchlists#{entity_id}", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/{entity_id}/delete", summary="Remove a watchlist entity")
async def remove(entity_id: str, viewer: ViewerDep, notify: NotifyDep, form: FormDep) -> Response:
    """Remove an entity; another tenant's is 404."""
    with notify:
        await call_service(notify.remove_from_watchlist, entity_id, not_found=NOT_FOUND)
    return RedirectResponse("/watchlists", status_code=status.HTTP_303_SEE_OTHER)
