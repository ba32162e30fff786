"""Alembic environment: one migration history for every service's tables."""

from __future__ import annotations

from alembic import context

from services.pipeline.db import make_engine
from services.schema import load_metadata

target_metadata = load_metadata()
url = context.config.get_main_option("sqlalchemy.url") or ""

if context.is_offline_mode():
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
