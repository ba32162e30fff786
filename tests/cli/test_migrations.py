"""The Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from services.cli.database import alembic_config, upgrade
from services.notify.api_keys import hash_api_key, list_api_keys, tenant_by_api_key
from services.pipeline.db import make_engine, make_session_factory
from services.schema import TABLE_MODULES, load_metadata


def test_every_service_declares_its_tables() -> None:
    prefixes = {name.split("_")[0] for name in load_metadata().tables}
    assert prefixes == {"ingest", "classify", "notify", "web"}, TABLE_MODULES


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


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def test_watchlists_move_to_notify_with_their_rows(database_url: str) -> None:
    upgrade(database_url, "0001")
    engine = make_engine(database_url)
    row = {"id": "e1", "tenant_id": "t1", "name": "Acme", "aliases": '["Acme AG"]', "kind": "organisation"}
    columns = "id, tenant_id, name, aliases, kind, created_at, updated_at"
    values = ":id, :tenant_id, :name, :aliases, :kind, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"
    read = "SELECT id, tenant_id, name, aliases FROM {}"
    try:
        with engine.begin() as connection:
            connection.execute(text(f"INSERT INTO classify_watchlist_entities ({columns}) VALUES ({values})"), row)
        upgrade(database_url)
        with engine.connect() as connection:
            moved = connection.execute(text(read.format("notify_watchlist_entities"))).one()
            tables = set(inspect(connection).get_table_names())
        assert (moved.id, moved.tenant_id, moved.name) == ("e1", "t1", "Acme")
        assert "classify_watchlist_entities" not in tables
        downgrade(database_url, "0001")
        with engine.connect() as connection:
            assert connection.execute(text(read.format("classify_watchlist_entities"))).one().name == "Acme"
    finally:
        engine.dispose()


def test_tenants_named_alike_before_names_were_unique_keep_distinct_names(database_url: str) -> None:
    upgrade(database_url, "0004")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            for tenant_id, key in (("tn_a", "h1"), ("tn_b", "h2"), ("tn_c", "h3")):
                connection.execute(
                    text("INSERT INTO notify_tenants (id, name, api_key_hash, created_at) VALUES (:i, :n, :k, :t)"),
                    {
                        "i": tenant_id,
                        "n": "acme" if tenant_id != "tn_c" else "other",
                        "k": key,
                        "t": datetime(2026, 1, 1, tzinfo=UTC),
                    },
                )
        upgrade(database_url)
        with engine.connect() as connection:
            names = dict(connection.execute(text("SELECT id, name FROM notify_tenants")).all())
    finally:
        engine.dispose()
    assert names == {"tn_a": "acme", "tn_b": "acme (tn_b)", "tn_c": "other"}


def test_each_tenants_key_becomes_its_default_key_and_keeps_working(database_url: str) -> None:
    upgrade(database_url, "0009")
    engine = make_engine(database_url)
    key = "rak_an-old-key"
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO notify_tenants (id, name, api_key_hash, created_at) VALUES (:i, :n, :k, :t)"),
                {"i": "tn_a", "n": "acme", "k": hash_api_key(key), "t": datetime(2026, 1, 1, tzinfo=UTC)},
            )
            connection.execute(  # a tenant's rows survive the rebuild of notify_tenants (SQLite batch mode)
                text(
                    "INSERT INTO notify_subscriptions (id, tenant_id, name, filters, channel, addresses, mode, paused, "
                    "created_at, updated_at) VALUES ('sub_1', 'tn_a', 's', '{}', 'webhook', '[]', 'instant', false, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        upgrade(database_url)
        with make_session_factory(engine)() as session:
            tenant = tenant_by_api_key(session, api_key=key)
            assert tenant is not None and tenant.id == "tn_a"
            [row] = list_api_keys(session, tenant_id="tn_a")
            assert (row.name, row.prefix, row.revoked_at) == ("default", "rak_", None)
            assert session.execute(text("SELECT tenant_id FROM notify_subscriptions")).scalar_one() == "tn_a"
        downgrade(database_url, "0009")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT api_key_hash FROM notify_tenants")).scalar_one() == hash_api_key(key)
    finally:
        engine.dispose()
