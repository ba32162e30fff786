"""Tenant watchlists: tenant-scoped CRUD on SQLite and PostgreSQL, and matching that follows the store."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from services.classify.watchlist import (
    WatchlistEntityPublic,
    WatchlistMatcher,
    create_entity,
    delete_entity,
    get_entity,
    list_entities,
    update_entity,
)
from services.pipeline.db import make_session_factory


def test_crud_is_scoped_to_the_tenant(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    with sessions() as session:
        acme = create_entity(session, tenant_id="t1", name=" Acme Widgets ", aliases=["Acme", "ACME", "Acme", " "])
        create_entity(session, tenant_id="t2", name="Other", kind="person")
        assert (acme.name, acme.aliases, acme.kind) == ("Acme Widgets", ["Acme", "ACME"], "organisation")
    with sessions() as session:
        assert [e.name for e in list_entities(session, tenant_id="t1")] == ["Acme Widgets"]
        assert get_entity(session, tenant_id="t2", entity_id=acme.id) is None
        assert update_entity(session, tenant_id="t2", entity_id=acme.id, name="Stolen") is None
        assert not delete_entity(session, tenant_id="t2", entity_id=acme.id)
        updated = update_entity(session, tenant_id="t1", entity_id=acme.id, aliases=["Acme AG"], kind="organisation")
        assert updated is not None and updated.name == "Acme Widgets" and updated.aliases == ["Acme AG"]
        assert updated.updated_at >= updated.created_at
        public = WatchlistEntityPublic.model_validate(updated)
        assert public.model_dump().keys() == {"id", "name", "aliases", "kind", "created_at", "updated_at"}
    with sessions() as session:
        assert delete_entity(session, tenant_id="t1", entity_id=acme.id)
        assert list_entities(session, tenant_id="t1") == []
        assert [e.name for e in list_entities(session, tenant_id="t2")] == ["Other"]


def test_bad_entities_are_refused_with_a_clear_error(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    with sessions() as session:
        with pytest.raises(ValueError, match="at least 1 character"):
            create_entity(session, tenant_id="t1", name="  ")
        with pytest.raises(ValueError, match="Input should be"):
            create_entity(session, tenant_id="t1", name="X", kind="planet")
        with pytest.raises(ValueError, match="at most 50 aliases"):
            create_entity(session, tenant_id="t1", name="X", aliases=[f"a{i}" for i in range(51)])
        assert list_entities(session, tenant_id="t1") == []


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_matcher_follows_the_store_without_a_restart(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    clock = _Clock()
    matcher = WatchlistMatcher(sessions, refresh_s=5.0, clock=clock)
    title, summary = "WEKO büsst Acme", "Die Acme AG und ihr Zulieferer Beta Metall wurden gebüsst; CEO Jane Roe."
    assert matcher.match(title, summary) == []
    with sessions() as session:
        acme = create_entity(session, tenant_id="t1", name="Acme", aliases=["Acme AG"])
        create_entity(session, tenant_id="t2", name="Jane Roe", kind="person")
    assert matcher.match(title, summary) == []  # checked less than refresh_s ago
    clock.now = 5.0
    hits = {(h.tenant_id, h.name): h for h in matcher.match(title, summary)}
    assert set(hits) == {("t1", "Acme"), ("t2", "Jane Roe")}
    acme_hit = hits[("t1", "Acme")]
    assert acme_hit.entity_id == acme.id
    assert [(e["field"], e["text"], e["start"]) for e in acme_hit.evidence] == [
        ("title", "Acme", 11), ("summary", "Acme AG", 4),
    ]  # fmt: skip
    with sessions() as session:
        delete_entity(session, tenant_id="t2", entity_id=hits[("t2", "Jane Roe")].entity_id)
        update_entity(session, tenant_id="t1", entity_id=acme.id, name="Beta Metall", aliases=[])
    clock.now = 10.0
    assert [(h.tenant_id, h.name, h.evidence[0]["text"]) for h in matcher.match(title, summary)] == [
        ("t1", "Beta Metall", "Beta Metall")
    ]


def test_matcher_keeps_its_last_index_when_the_store_fails(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    with sessions() as session:
        create_entity(session, tenant_id="t1", name="Acme")
    clock = _Clock()
    matcher = WatchlistMatcher(sessions, refresh_s=1.0, clock=clock)
    assert [h.name for h in matcher.match("Acme fined", "")] == ["Acme"]
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE classify_watchlist_entities"))
    clock.now = 2.0
    assert [h.name for h in matcher.match("Acme fined", "")] == ["Acme"]
