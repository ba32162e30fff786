"""Full-text search over the read model: FTS5 on SQLite, a GIN-indexed tsvector ('simple') on PostgreSQL.

Both index ``web_items.search_text``, which services.web.text has already tokenised (CJK as character
pairs), so both stores find the same items for the same query. The structures are derived data, created
(idempotently) when the web service starts: ``ensure_index``.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Engine, text
from sqlalchemy.sql import literal_column

from services.web.models import Item
from services.web.text import query_terms

_SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS web_items_fts USING fts5("
    "search_text, content='web_items', content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
    "CREATE TRIGGER IF NOT EXISTS web_items_fts_insert AFTER INSERT ON web_items BEGIN "
    "INSERT INTO web_items_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS web_items_fts_delete AFTER DELETE ON web_items BEGIN "
    "INSERT INTO web_items_fts(web_items_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS web_items_fts_update AFTER UPDATE OF search_text ON web_items BEGIN "
    "INSERT INTO web_items_fts(web_items_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO web_items_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
)
_POSTGRES = (
    "CREATE INDEX IF NOT EXISTS ix_web_items_search ON web_items USING gin (to_tsvector('simple', search_text))",
)


def ensure_index(engine: Engine) -> None:
    """Create the full-text structures of the store's dialect if they are missing."""
    statements = _SQLITE if engine.dialect.name == "sqlite" else _POSTGRES
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def rebuild_index(engine: Engine) -> None:
    """Rebuild SQLite's index from the items (after a bulk load that bypassed it); PostgreSQL needs none."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO web_items_fts(web_items_fts) VALUES ('rebuild')"))


def search_clause(dialect: str, *queries: str) -> ColumnElement[bool] | None:
    """A WHERE clause keeping the items that contain every term (as a prefix) of any of ``queries``; None
    when no query has a searchable term."""
    groups = [terms for terms in (query_terms(query) for query in queries) if terms]
    if not groups:
        return None
    if dialect == "sqlite":
        match = " OR ".join("(" + " ".join(f'"{term}"*' for term in terms) + ")" for terms in groups)
        subquery = text("SELECT rowid FROM web_items_fts WHERE web_items_fts MATCH :fts").bindparams(fts=match)
        return Item.id.in_(subquery.columns(literal_column("rowid")))
    tsquery = " | ".join("(" + " & ".join(f"'{term}':*" for term in terms) + ")" for terms in groups)
    clause = text("to_tsvector('simple', web_items.search_text) @@ to_tsquery('simple', :tsq)")
    return clause.bindparams(tsq=tsquery)  # type: ignore[return-value]
