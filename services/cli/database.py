"""``regalerts db upgrade``: apply the Alembic migrations to the configured database."""

from __future__ import annotations

import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config

from services.pipeline.settings import CommonSettings

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for the project's migrations and ``database_url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


def _upgrade(args: argparse.Namespace) -> int:
    upgrade(CommonSettings().database_url, args.revision)
    print(f"database at {args.revision}")
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``db upgrade``."""
    parser = subparsers.add_parser("db", help="database schema")
    db_commands = parser.add_subparsers(dest="db_command", required=True)
    up = db_commands.add_parser("upgrade", help="apply migrations (default: to the latest)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_upgrade)
