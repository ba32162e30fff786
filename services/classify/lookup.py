"""Looking up the knowledge base's companies and regulators by any of their names: GET /v1/entities?q=
(search, for autocomplete and "did you mean") and POST /v1/entities/resolve (exact resolution of a list).

Every name counts: canonical names, aliases, local-script and former names, acronyms, ids ("腾讯" finds
Tencent). Names are compared folded (case, accents, punctuation, traditional and simplified Chinese), as the
classifier compares them. A search ranks exact names first, then names starting with the query, then names
with a word starting with it, then names containing it, then close spellings (rapidfuzz), each entity once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz, process

from services.classify.kb import Company, KnowledgeBase, Regulator
from services.classify.normalise import fold

Kind = Literal["company", "regulator"]
MAX_NAMES = 1000
FUZZY_CUTOFF = 75.0  # rapidfuzz ratio (Indel similarity), 0-100: "bytedanse" is 89 from "bytedance"
FUZZY_MIN_CHARS = 3


class EntityPublic(BaseModel):
    """A company or regulator of the knowledge base."""

    id: str
    name: str = Field(description="Canonical name: the name tags carry and filters match.")
    kind: Kind
    jurisdiction: str | None = Field(description="A regulator's jurisdiction, a company's home country.")
    acronyms: list[str] = Field(description="A regulator's acronyms (tags carry them; filters match them).")
    matched: str = Field(description="The name or alias the query or name matched.")


class ResolveRequest(BaseModel):
    """Names to resolve exactly, of one kind or both."""

    model_config = ConfigDict(extra="forbid")

    names: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(min_length=1, max_length=MAX_NAMES)
    kind: Kind | None = None
    suggestions: int = Field(default=3, ge=0, le=10, description="Closest entities given for an unknown name.")


class Resolution(BaseModel):
    """One name: the entity it names exactly, or the closest known ones."""

    name: str
    entity: EntityPublic | None = Field(description="The entity with this exact name or alias; null when none.")
    suggestions: list[EntityPublic] = Field(description="When no entity has this name: the closest ones.")


def _key(text: str) -> str:
    return " ".join(fold(text).split())


@dataclass(frozen=True)
class _Entity:
    id: str
    name: str
    kind: Kind
    jurisdiction: str | None
    acronyms: tuple[str, ...]

    def public(self, matched: str) -> EntityPublic:
        return EntityPublic(
            id=self.id, name=self.name, kind=self.kind, jurisdiction=self.jurisdiction,
            acronyms=list(self.acronyms), matched=matched,
        )  # fmt: skip


def _entities(kb: KnowledgeBase) -> Iterator[tuple[_Entity, tuple[str, ...]]]:
    """Every entity with the names it goes by (a company's products are not its names)."""
    for company in kb.companies.values():
        yield _company(company), (*company.all_names(), *company.tickers, company.id)
    for regulator in kb.regulators.values():
        yield _regulator(regulator), (*regulator.names, *regulator.acronyms, regulator.id)


def _company(company: Company) -> _Entity:
    return _Entity(company.id, company.name, "company", company.country, ())


def _regulator(regulator: Regulator) -> _Entity:
    return _Entity(regulator.id, regulator.name, "regulator", regulator.jurisdiction, regulator.acronyms)


class EntityIndex:
    """Every name of every company and regulator, folded, for search and exact resolution."""

    def __init__(self, kb: KnowledgeBase) -> None:
        forms: dict[tuple[str, Kind, str], str] = {}  # (folded, kind, entity id) -> name as written
        self._by_ref: dict[tuple[Kind, str], _Entity] = {}
        for entity, names in _entities(kb):
            self._by_ref[(entity.kind, entity.id)] = entity
            for name in names:
                folded = _key(name)
                if folded:
                    forms.setdefault((folded, entity.kind, entity.id), name)
        self._forms = sorted(forms.items())  # ((folded, kind, id), written), sorted by folded form
        self._folded = [folded for (folded, _, _), _ in self._forms]

    def _each(self, positions: Iterator[int], kind: Kind | None) -> Iterator[tuple[_Entity, str]]:
        for position in positions:
            (_, entity_kind, entity_id), written = self._forms[position]
            if kind is None or entity_kind == kind:
                yield self._by_ref[(entity_kind, entity_id)], written

    def _exact(self, key: str) -> Iterator[int]:
        position = bisect_left(self._folded, key)
        while position < len(self._folded) and self._folded[position] == key:
            yield position
            position += 1

    def _prefixed(self, key: str) -> Iterator[int]:
        position = bisect_left(self._folded, key)
        while position < len(self._folded) and self._folded[position].startswith(key):
            yield position
            position += 1

    def _containing(self, key: str, *, word_start: bool) -> Iterator[int]:
        for position, folded in enumerate(self._folded):
            found = folded.find(key)
            if found > 0 and (folded[found - 1] == " ") == word_start:
                yield position

    def _close(self, key: str, limit: int) -> Iterator[int]:
        if len(key) < FUZZY_MIN_CHARS:
            return iter(())
        found = process.extract(key, self._folded, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=limit)
        return (position for _, _, position in found)

    def search(self, query: str, *, kind: Kind | None = None, limit: int = 10) -> list[EntityPublic]:
        """The entities one of whose names is, starts with, contains, or is spelled close to ``query``."""
        key = _key(query)
        if not key:
            return []
        tiers = (
            self._exact(key), self._prefixed(key), self._containing(key, word_start=True),
            self._containing(key, word_start=False), self._close(key, limit * 20),
        )  # fmt: skip
        found: dict[tuple[Kind, str], EntityPublic] = {}
        for tier in tiers:
            for entity, written in self._each(tier, kind):
                found.setdefault((entity.kind, entity.id), entity.public(written))
                if len(found) == limit:
                    return list(found.values())
        return list(found.values())

    def resolve(self, name: str, *, kind: Kind | None = None, suggestions: int = 3) -> Resolution:
        """The entity ``name`` names exactly (any of its names, folded), else up to ``suggestions`` close ones."""
        for entity, written in self._each(self._exact(_key(name)), kind):
            return Resolution(name=name, entity=entity.public(written), suggestions=[])
        close = self.search(name, kind=kind, limit=suggestions) if suggestions else []
        return Resolution(name=name, entity=None, suggestions=close)


def make_router(kb: KnowledgeBase) -> APIRouter:
    """``/entities`` (under the classify API's ``/v1``): search and resolution over one knowledge base."""
    index = EntityIndex(kb)
    router = APIRouter(prefix="/entities", tags=["entities"])

    @router.get("", summary="Find companies and regulators by any of their names (autocomplete, did you mean)")
    def search(
        q: Annotated[str, Query(min_length=1, max_length=200, description="A name, or its beginning.")],
        kind: Kind | None = None,
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> list[EntityPublic]:
        return index.search(q, kind=kind, limit=limit)

    @router.post("/resolve", summary="Resolve names exactly; the closest entities for a name no entity has")
    def resolve(request: ResolveRequest) -> list[Resolution]:
        return [index.resolve(n, kind=request.kind, suggestions=request.suggestions) for n in request.names]

    return router
