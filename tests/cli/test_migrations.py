"""The Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from services.cli.database import upgrade
from services.pipeline.db import make_engine
from services.schema import TABLE_MODULES, load_metadata


def test_every_service_declares_its_tables() -> None:
    prefixes = {name.split("_")[0] for name in load_metadata().tables}
    assert prefixes == {"ingest", "classify", "notify"}, TABLE_MODULES


def test_upgrade_to_head_matches_the_models(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)  # a second run is a no-op, not an error
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"render_as_batch": True})
            differences = compare_metadata(context, load_metadata())
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert not differences, f"models and migrations differ: write a migration for {differences}"
    assert set(load_metadata().tables) <= tables
