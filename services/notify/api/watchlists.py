"""/v1/watchlists: a tenant's own watchlist entities (stored by classify, which finds them in items).

The entities live in ``classify_watchlist_entities``, owned by services.classify.watchlist; this router
only calls its tenant-scoped functions. Another tenant's entity answers 404, like a missing one.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from services.notify.api.deps import CurrentTenant, SessionDep, not_found
from services.notify.schemas import Term

router = APIRouter(prefix="/v1/watchlists", tags=["watchlists"])

Aliases = Annotated[list[Term], Field(max_length=100)]


class EntityCreate(BaseModel):
    """A company, person or product the tenant wants found in items, by its name or any alias."""

    model_config = ConfigDict(extra="forbid")

    name: Term
    aliases: Aliases = Field(default_factory=list)
    kind: str = Field(default="company", min_length=1, max_length=40)


class EntityUpdate(BaseModel):
    """A partial change of an entity."""

    model_config = ConfigDict(extra="forbid")

    name: Term | None = None
    aliases: Aliases | None = None
    kind: str | None = Field(default=None, min_length=1, max_length=40)


class EntityPublic(BaseModel):
    """A watchlist entity; use its id in a subscription's ``watchlist_entities`` filter."""

    id: str
    name: str
    aliases: list[str]
    kind: str
    created_at: datetime | None = None
    updated_at: datetime | None = None


def _store() -> Any:
    """The classify watchlist module (imported on use, so notify starts without it)."""
    return importlib.import_module("services.classify.watchlist")


def _public(entity: Any) -> EntityPublic:
    fields = ("id", "name", "aliases", "kind", "created_at", "updated_at")
    values = {name: (entity.get(name) if isinstance(entity, dict) else getattr(entity, name, None)) for name in fields}
    values["aliases"] = list(values["aliases"] or [])
    values["kind"] = values["kind"] or "company"
    return EntityPublic.model_validate(values)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Add a watchlist entity")
def create(body: EntityCreate, session: SessionDep, tenant: CurrentTenant) -> EntityPublic:
    """Add an entity to the tenant's watchlist."""
    entity = _store().create_entity(session, tenant_id=tenant.id, **body.model_dump())
    session.commit()
    return _public(entity)


@router.get("", summary="List watchlist entities")
def list_all(session: SessionDep, tenant: CurrentTenant) -> list[EntityPublic]:
    """The tenant's watchlist entities."""
    return [_public(e) for e in _store().list_entities(session, tenant_id=tenant.id)]


@router.get("/{entity_id}", summary="Read a watchlist entity")
def read(entity_id: str, session: SessionDep, tenant: CurrentTenant) -> EntityPublic:
    """One of the tenant's entities."""
    entity = _store().get_entity(session, tenant_id=tenant.id, entity_id=entity_id)
    if entity is None:
        raise not_found("watchlist entity")
    return _public(entity)


@router.patch("/{entity_id}", summary="Change a watchlist entity")
def patch(entity_id: str, body: EntityUpdate, session: SessionDep, tenant: CurrentTenant) -> EntityPublic:
    """Change the given fields only."""
    changes = body.model_dump(exclude_none=True)
    entity = _store().update_entity(session, tenant_id=tenant.id, entity_id=entity_id, **changes)
    if entity is None:
        raise not_found("watchlist entity")
    session.commit()
    return _public(entity)


@router.delete("/{entity_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a watchlist entity")
def delete(entity_id: str, session: SessionDep, tenant: CurrentTenant) -> Response:
    """Remove an entity from the tenant's watchlist."""
    if not _store().delete_entity(session, tenant_id=tenant.id, entity_id=entity_id):
        raise not_found("watchlist entity")
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
