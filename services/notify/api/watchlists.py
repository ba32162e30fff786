"""/v1/watchlists: a tenant's own watchlist entities, found in items for that tenant only.

This router calls the tenant-scoped functions of services.notify.watchlists. Another tenant's entity
answers 404, exactly like a missing one.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from services.notify.api.deps import CurrentTenant, SessionDep, not_found
from services.notify.watchlists import (
    WatchlistEntityCreate,
    WatchlistEntityPublic,
    WatchlistEntityUpdate,
    create_entity,
    delete_entity,
    get_entity,
    list_entities,
    update_entity,
)
from services.pipeline.api import unprocessable
from services.pipeline.paging import LINK_HEADER, PagerDep

router = APIRouter(prefix="/v1/watchlists", tags=["watchlists"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Add a watchlist entity")
def create(body: WatchlistEntityCreate, session: SessionDep, tenant: CurrentTenant) -> WatchlistEntityPublic:
    """Add an entity (its name and aliases are looked for in every item); use its id in a subscription's
    ``watchlist_entities`` filter, or ``"watchlist": true`` for any of the tenant's entities."""
    try:
        entity = create_entity(session, tenant_id=tenant.id, **body.model_dump())
    except ValueError as exc:
        raise unprocessable(exc) from exc
    return WatchlistEntityPublic.model_validate(entity)


@router.get("", summary="List watchlist entities", responses={200: {"headers": LINK_HEADER}})
def list_all(session: SessionDep, tenant: CurrentTenant, pager: PagerDep) -> list[WatchlistEntityPublic]:
    """The tenant's entities, oldest first, a page at a time (the next page's URL in the Link header)."""
    entities, _ = pager.cut(list_entities(session, tenant_id=tenant.id, page=pager.page))
    return [WatchlistEntityPublic.model_validate(e) for e in entities]


@router.get("/{entity_id}", summary="Read a watchlist entity")
def read(entity_id: str, session: SessionDep, tenant: CurrentTenant) -> WatchlistEntityPublic:
    """One of the tenant's entities."""
    entity = get_entity(session, tenant_id=tenant.id, entity_id=entity_id)
    if entity is None:
        raise not_found("watchlist entity")
    return WatchlistEntityPublic.model_validate(entity)


@router.patch("/{entity_id}", summary="Change a watchlist entity")
def patch(
    entity_id: str, body: WatchlistEntityUpdate, session: SessionDep, tenant: CurrentTenant
) -> WatchlistEntityPublic:
    """Change the given fields only."""
    try:
        entity = update_entity(session, tenant_id=tenant.id, entity_id=entity_id, **body.model_dump())
    except ValueError as exc:
        raise unprocessable(exc) from exc
    if entity is None:
        raise not_found("watchlist entity")
    return WatchlistEntityPublic.model_validate(entity)


@router.delete("/{entity_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a watchlist entity")
def delete(entity_id: str, session: SessionDep, tenant: CurrentTenant) -> Response:
    """Remove an entity from the tenant's watchlist."""
    if not delete_entity(session, tenant_id=tenant.id, entity_id=entity_id):
        raise not_found("watchlist entity")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
