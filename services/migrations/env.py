"""Alembic environment: one migration history for every service's tables."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy.types import TypeDecorator

from services.pipeline.db import make_engine
from services.schema import load_metadata

target_metadata = load_metadata()


def render_item(kind: str, obj: Any, _context: Any) -> str | Literal[False]:
    """Render a column type that wraps another (UTC timestamps) as the type it stores, so migrations never
    import service modules."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


url = context.config.get_main_option("sqlalchemy.url") or ""

if context.is_offline_mode():
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch operations rebuild a SQLite table (copy, drop, rename): with foreign keys on, dropping a
            # parent table would delete its children's rows through ON DELETE CASCADE.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True, render_item=render_item
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
