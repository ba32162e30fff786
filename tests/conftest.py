"""Fixtures shared by every test: the shared data folder, the embedded broker, SQLite and PostgreSQL stores."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from services.pipeline.broker import EmbeddedBroker, create_topics
from services.pipeline.db import Base, make_engine
from services.pipeline.logging import NOISY_LOGGERS

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("REGALERTS_SHARED_DIR", REPO_ROOT.parent / "shared"))
POSTGRES_URL = os.environ.get("REGALERTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def run_regalerts(
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
    cwd: Path = REPO_ROOT,
) -> subprocess.CompletedProcess[str]:
    """The ``regalerts`` command run as a subprocess from ``cwd`` (the checkout), with ``env`` added to the
    environment."""
    return subprocess.run(
        [sys.executable, "-m", "services.cli.main", *args],
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


@contextlib.contextmanager
def logging_kept() -> Iterator[None]:
    """Inside the block a command may configure logging in-process; after it the root logger's handlers and
    the levels ``configure_logging`` sets are as before, so later tests do not log through its handler."""
    root = logging.getLogger()
    handlers, levels = root.handlers[:], {name: logging.getLogger(name).level for name in ("", *NOISY_LOGGERS)}
    try:
        yield
    finally:
        root.handlers[:] = handlers
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test with a clear reason when it is absent."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared data folder beside the checkout is needed for this test")
    return path


@pytest.fixture(scope="session")
def broker() -> Iterator[EmbeddedBroker]:
    """One embedded Kafka-compatible broker for the session, with every topic created."""
    with EmbeddedBroker() as running:
        create_topics(running.bootstrap)
        yield running


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to a fresh, private PostgreSQL schema, dropped after the test."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A URL to a fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'regalerts.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs twice: on a SQLite file and on a private PostgreSQL schema."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


def _engine_with_tables(url: str) -> Iterator[Engine]:
    created = make_engine(url)
    Base.metadata.create_all(created)
    yield created
    created.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on SQLite and on PostgreSQL with every table created."""
    yield from _engine_with_tables(database_url)


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """A SQLite engine with every table created."""
    yield from _engine_with_tables(sqlite_url)
