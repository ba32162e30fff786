"""Tenant watchlists: a tenant's own entities (itself, suppliers, people) matched in every item.

The store is the table ``classify_watchlist_entities``; the keyword-only CRUD functions below are what
the tenant-facing API calls (each one scoped to a tenant: an entity of another tenant is never seen).
:class:`WatchlistMatcher` keeps one automaton over every tenant's names and rebuilds it when the table
changes, checking at most every ``refresh_s`` seconds, so additions count without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, String, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from services.classify.automaton import Automaton, Builder
from services.classify.fields import FieldName
from services.classify.normalise import normalise
from services.pipeline.db import Base, UTCDateTime
from services.pipeline.events import Evidence, WatchlistHit

log = logging.getLogger(__name__)

EntityKind = Literal["organisation", "person", "product", "other"]
MAX_NAME_CHARS = 200
MAX_ALIASES = 50
MAX_EVIDENCE = 5
_SEPARATOR = "\x1f"


class WatchlistEntity(Base):
    """One entity of one tenant's watchlist."""

    __tablename__ = "classify_watchlist_entities"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    tenant_id: Mapped[str] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME_CHARS))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    kind: Mapped[str] = mapped_column(String(16), default="organisation")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


Name = Field(min_length=1, max_length=MAX_NAME_CHARS)


class WatchlistEntityCreate(BaseModel):
    """A new watchlist entity."""

    model_config = ConfigDict(extra="forbid")

    name: str = Name
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
    now = datetime.now(UTC)
    entity = WatchlistEntity(
        tenant_id=tenant_id, name=fields.name, aliases=fields.aliases, kind=fields.kind, created_at=now, updated_at=now
    )
    session.add(entity)
    session.commit()
    return entity


def list_entities(session: Session, *, tenant_id: str, limit: int = 100, offset: int = 0) -> list[WatchlistEntity]:
    """A tenant's entities, oldest first."""
    query = (
        select(WatchlistEntity).where(WatchlistEntity.tenant_id == tenant_id)
        .order_by(WatchlistEntity.created_at, WatchlistEntity.id).limit(limit).offset(offset)
    )  # fmt: skip
    return list(session.scalars(query))


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
    entity.updated_at = datetime.now(UTC)
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


@dataclass(frozen=True)
class _Index:
    automaton: Automaton | None
    names: dict[str, tuple[str, str, str]]  # ref -> (tenant_id, entity_id, name)


def build_index(entities: Sequence[WatchlistEntity]) -> _Index:
    """One automaton over every tenant's names and aliases."""
    builder = Builder()
    names: dict[str, tuple[str, str, str]] = {}
    for entity in entities:
        ref = f"{entity.tenant_id}{_SEPARATOR}{entity.id}"
        names[ref] = (entity.tenant_id, entity.id, entity.name)
        for surface in (entity.name, *(entity.aliases or [])):
            builder.add_name(surface.rstrip("*"), "watchlist", ref)
    return _Index(builder.build() if builder.patterns else None, names)


def _outermost(spans: list[tuple[FieldName, int, int]]) -> list[tuple[FieldName, int, int]]:
    """Drop spans inside a longer one of the same field ("Acme" inside "Acme AG")."""
    return [
        span for span in spans
        if not any(o[0] == span[0] and o[1] <= span[1] and span[2] <= o[2] and o != span for o in spans)
    ]  # fmt: skip


def match_index(index: _Index, title: str, summary: str) -> list[WatchlistHit]:
    """Watchlist hits of one item, one per (tenant, entity), with evidence."""
    if index.automaton is None:
        return []
    spans: dict[str, list[tuple[FieldName, int, int]]] = {}
    fields: dict[FieldName, str] = {"title": title, "summary": summary}
    for field_name, raw in fields.items():
        text = normalise(raw)
        for hit in index.automaton.find(text):
            start, end = text.span(hit.start, hit.end)
            for entry in hit.entries:
                spans.setdefault(entry.ref, []).append((field_name, start, end))
    hits: list[WatchlistHit] = []
    for ref, found in spans.items():
        tenant_id, entity_id, name = index.names[ref]
        evidence = [
            Evidence(text=fields[f][start:end], field=f, start=start, end=end)
            for f, start, end in _outermost(found)[:MAX_EVIDENCE]
        ]
        hits.append(WatchlistHit(tenant_id=tenant_id, entity_id=entity_id, name=name, evidence=evidence))
    return hits


class WatchlistMatcher:
    """Matches every tenant's watchlist; notices changes in the store within ``refresh_s`` seconds."""

    def __init__(
        self, sessions: sessionmaker[Session], refresh_s: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._sessions = sessions
        self._refresh_s = refresh_s
        self._clock = clock
        self._lock = threading.Lock()
        self._index = _Index(None, {})
        self._signature: tuple[int, datetime | None] | None = None
        self._checked_at: float | None = None

    def _signature_now(self) -> tuple[int, datetime | None]:
        with self._sessions() as session:
            count, latest = session.execute(
                select(func.count(WatchlistEntity.id), func.max(WatchlistEntity.updated_at))
            ).one()
        return int(count), latest

    def refresh(self) -> None:
        """Rebuild the automaton now if the store changed since the last look."""
        signature = self._signature_now()
        if signature == self._signature:
            return
        with self._sessions() as session:
            entities = list(session.scalars(select(WatchlistEntity)))
        self._index, self._signature = build_index(entities), signature
        log.info("Watchlists reloaded", extra={"entities": signature[0]})

    def _maybe_refresh(self) -> None:
        now = self._clock()
        with self._lock:
            if self._checked_at is not None and now - self._checked_at < self._refresh_s:
                return
            self._checked_at = now
            try:
                self.refresh()
            except SQLAlchemyError as exc:  # keep matching with what we have; try again next period
                log.warning("Watchlist refresh failed", extra={"error": str(exc)[:300]})

    def match(self, title: str, summary: str) -> list[WatchlistHit]:
        """Every tenant's entities found in an item."""
        self._maybe_refresh()
        return match_index(self._index, title, summary)
