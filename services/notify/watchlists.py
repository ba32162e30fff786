"""Tenant watchlists: a tenant's own entities (itself, suppliers, people), found in every classified item.

The keyword-only CRUD functions are scoped to a tenant (another tenant's entity is never seen).
:class:`WatchlistIndex` finds every tenant's names and aliases in an item's title and summary, with the
same whole-word, case- and accent-insensitive rules as subscription keywords.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.notify.models import WatchlistEntity
from services.notify.phrases import PhraseFinder
from services.pipeline.db import utcnow
from services.pipeline.paging import PageRequest, keyset

EntityKind = Literal["organisation", "person", "product", "other"]
MAX_NAME_CHARS = 200
MAX_ALIASES = 50


class WatchlistEntityCreate(BaseModel):
    """A new watchlist entity."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    aliases: list[str] = Field(default_factory=list, max_length=MAX_ALIASES)
    kind: EntityKind = "organisation"


class WatchlistEntityUpdate(BaseModel):
    """Fields to change; absent ones stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME_CHARS)
    aliases: list[str] | None = Field(default=None, max_length=MAX_ALIASES)
    kind: EntityKind | None = None


class WatchlistEntityPublic(BaseModel):
    """A watchlist entity as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    aliases: list[str]
    kind: str
    created_at: datetime
    updated_at: datetime


def _clean_aliases(aliases: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(alias.strip() for alias in aliases if alias.strip()))
    if len(cleaned) > MAX_ALIASES or any(len(alias) > MAX_NAME_CHARS for alias in cleaned):
        raise ValueError(f"at most {MAX_ALIASES} aliases of at most {MAX_NAME_CHARS} characters")
    return cleaned


def create_entity(
    session: Session, *, tenant_id: str, name: str, aliases: Sequence[str] = (), kind: str = "organisation"
) -> WatchlistEntity:
    """Add an entity to a tenant's watchlist and commit; ValueError on a blank name or bad aliases."""
    fields = WatchlistEntityCreate(name=name.strip(), aliases=_clean_aliases(aliases), kind=kind)
    now = utcnow()
    entity = WatchlistEntity(
        id=uuid.uuid4().hex, tenant_id=tenant_id, created_at=now, updated_at=now, **fields.model_dump()
    )
    session.add(entity)
    session.commit()
    return entity


def list_entities(session: Session, *, tenant_id: str, page: PageRequest | None = None) -> list[WatchlistEntity]:
    """A tenant's entities, oldest first: all, or a page (one row more when more follow)."""
    query = select(WatchlistEntity).where(WatchlistEntity.tenant_id == tenant_id)
    return list(session.scalars(keyset(query, page, created=WatchlistEntity.created_at, ident=WatchlistEntity.id)))


def get_entity(session: Session, *, tenant_id: str, entity_id: str) -> WatchlistEntity | None:
    """One entity of a tenant, None when absent or another tenant's."""
    entity = session.get(WatchlistEntity, entity_id)
    return entity if entity is not None and entity.tenant_id == tenant_id else None


def update_entity(
    session: Session, *, tenant_id: str, entity_id: str, name: str | None = None,
    aliases: Sequence[str] | None = None, kind: str | None = None,
) -> WatchlistEntity | None:  # fmt: skip
    """Change an entity's name, aliases or kind and commit; None when it is not the tenant's."""
    entity = get_entity(session, tenant_id=tenant_id, entity_id=entity_id)
    if entity is None:
        return None
    fields = WatchlistEntityUpdate(
        name=name.strip() if name is not None else None,
        aliases=_clean_aliases(aliases) if aliases is not None else None,
        kind=kind,
    )
    for key, value in fields.model_dump(exclude_none=True).items():
        setattr(entity, key, value)
    entity.updated_at = utcnow()
    session.commit()
    return entity


def delete_entity(session: Session, *, tenant_id: str, entity_id: str) -> bool:
    """Remove an entity and commit; False when it is not the tenant's."""
    entity = get_entity(session, tenant_id=tenant_id, entity_id=entity_id)
    if entity is None:
        return False
    session.delete(entity)
    session.commit()
    return True


Hits = dict[str, dict[str, str]]  # tenant id -> {entity id: entity name}


class WatchlistIndex:
    """Every tenant's watchlist names and aliases in one automaton (pure: built from entities)."""

    def __init__(self, entities: Iterable[WatchlistEntity]) -> None:
        refs = [(e.tenant_id, e.id, e.name, (e.name, *(e.aliases or []))) for e in entities]
        self.size = len(refs)
        self._finder = PhraseFinder(
            (surface, (tenant, entity_id, name)) for tenant, entity_id, name, surfaces in refs for surface in surfaces
        )

    def find(self, title: str, summary: str) -> Hits:
        """The entities found in an item, by tenant."""
        hits: Hits = {}
        for tenant, entity_id, name in self._finder.find(f"{title}\n{summary}"):
            hits.setdefault(tenant, {})[entity_id] = name
        return hits


def watchlists_signature(session: Session) -> tuple[int, datetime | None]:
    """Changes whenever an entity is added, changed or removed (count and latest change); two queries, each
    answered from an index (as :func:`services.notify.store.subscriptions_signature`)."""
    count = session.scalar(select(func.count()).select_from(WatchlistEntity))
    return int(count or 0), session.scalar(select(func.max(WatchlistEntity.updated_at)))


def load_index(session: Session) -> WatchlistIndex:
    """The index of every tenant's entities as stored now."""
    return WatchlistIndex(session.scalars(select(WatchlistEntity)))
