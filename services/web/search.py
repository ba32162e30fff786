"""Full-text search over the read model: FTS5 on SQLite, a GIN-indexed tsvector ('simple') on PostgreSQL.

Both index two columns services.web.text has already tokenised: ``search_text`` (the item's words, CJK as
character pairs) and ``tag_tokens`` (one token per filterable tag), so tag filters and text search are one
full-text query and both stores find the same items. The structures are derived data, created
(idempotently) when the web service starts: ``ensure_index``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Engine, and_, text
from sqlalchemy.sql import literal_column

from services.web.models import Item
from services.web.text import query_terms

_SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS web_items_fts USING fts5(search_text, tag_tokens, content='web_items', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
    "CREATE TRIGGER IF NOT EXISTS web_items_fts_insert AFTER INSERT ON web_items BEGIN "
    "INSERT INTO web_items_fts(rowid, search_text, tag_tokens) VALUES (new.id, new.search_text, new.tag_tokens); END",
    "CREATE TRIGGER IF NOT EXISTS web_items_fts_delete AFTER DELETE ON web_items BEGIN "
    "INSERT INTO web_items_fts(web_items_fts, rowid, search_text, tag_tokens) "
    "VALUES ('delete', old.id, old.search_text, old.tag_tokens); END",
    "CREATE TRIGGER IF NOT EXISTS web_items_fts_update AFTER UPDATE OF search_text, tag_tokens ON web_items BEGIN "
    "INSERT INTO web_items_fts(web_items_fts, rowid, search_text, tag_tokens) "
    "VALUES ('delete', old.id, old.search_text, old.tag_tokens); "
    "INSERT INTO web_items_fts(rowid, search_text, tag_tokens) VALUES (new.id, new.search_text, new.tag_tokens); END",
)
_POSTGRES = (
    "CREATE INDEX IF NOT EXISTS ix_web_items_search ON web_items USING gin (to_tsvector('simple', search_text))",
    "CREATE INDEX IF NOT EXISTS ix_web_items_tags ON web_items USING gin (to_tsvector('simple', tag_tokens))",
)


def _sqlite_index_is_current(connection: Connection) -> bool:
    columns = connection.execute(text("SELECT name FROM pragma_table_info('web_items_fts')")).scalars().all()
    return not columns or "tag_tokens" in columns


def ensure_index(engine: Engine) -> None:
    """Create the full-text structures of the store's dialect if they are missing (an SQLite index of an
    older shape is rebuilt)."""
    with engine.begin() as connection:
        if engine.dialect.name != "sqlite":
            for statement in _POSTGRES:
                connection.execute(text(statement))
            return
        rebuild = not _sqlite_index_is_current(connection)
        if rebuild:
            for name in ("web_items_fts_insert", "web_items_fts_delete", "web_items_fts_update"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
            connection.execute(text("DROP TABLE web_items_fts"))
        for statement in _SQLITE:
            connection.execute(text(statement))
    if rebuild:
        rebuild_index(engine)


def rebuild_index(engine: Engine) -> None:
    """Rebuild SQLite's index from the items (after a bulk load that bypassed it); PostgreSQL needs none."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO web_items_fts(web_items_fts) VALUES ('rebuild')"))


@dataclass(frozen=True)
class Match:
    """What a full-text query asks: every group of tag tokens (any token of a group), and any of the text
    queries (every term of it, as a prefix)."""

    tag_groups: tuple[tuple[str, ...], ...] = ()
    text_queries: tuple[str, ...] = ()


def _groups(match: Match) -> tuple[list[list[str]], list[list[str]]]:
    tags = [list(group) for group in match.tag_groups if group]
    texts = [terms for terms in (query_terms(q) for q in match.text_queries) if terms]
    return tags, texts


def match_clause(dialect: str, match: Match) -> ColumnElement[bool] | None:
    """A WHERE clause keeping the items the match asks for, in one full-text query; None when it asks
    nothing."""
    tags, texts = _groups(match)
    if not tags and not texts:
        return None
    if dialect == "sqlite":
        parts = ["tag_tokens : (" + " OR ".join(f'"{t}"' for t in group) + ")" for group in tags]
        if texts:
            either = " OR ".join("(" + " ".join(f'"{term}"*' for term in terms) + ")" for terms in texts)
            parts.append(f"search_text : ({either})")
        subquery = text("SELECT rowid FROM web_items_fts WHERE web_items_fts MATCH :fts").bindparams(
            fts=" AND ".join(parts)
        )
        return Item.id.in_(subquery.columns(literal_column("rowid")))
    clauses = []
    if tags:
        tag_query = " & ".join("(" + " | ".join(f"'{t}'" for t in group) + ")" for group in tags)
        clauses.append(
            text("to_tsvector('simple', web_items.tag_tokens) @@ to_tsquery('simple', :tagq)").bindparams(
                tagq=tag_query
            )
        )
    if texts:
        text_query = " | ".join("(" + " & ".join(f"'{term}':*" for term in terms) + ")" for terms in texts)
        clauses.append(
            text("to_tsvector('simple', web_items.search_text) @@ to_tsquery('simple', :tsq)").bindparams(
                tsq=text_query
            )
        )
    return and_(*clauses)
