"""The store and the secrets beside it are owner-only from the moment they exist."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.pipeline.db import make_engine
from services.pipeline.private_files import private_dir, write_private


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A permissive umask, as on many desktops: what is created is as open as the code asks."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("open_umask")
def test_a_new_sqlite_store_is_0600_in_a_0700_folder(tmp_path: Path) -> None:
    path = tmp_path / "var" / "regalerts.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x TEXT)")
            connection.exec_driver_sql("INSERT INTO t VALUES ('secret')")
    finally:
        engine.dispose()
    assert _mode(path.parent) == 0o700
    assert _mode(path) == 0o600
    assert all(_mode(p) & 0o077 == 0 for p in path.parent.iterdir()), {
        p.name: oct(_mode(p)) for p in path.parent.iterdir()
    }


@pytest.mark.usefixtures("open_umask")
def test_an_existing_world_readable_store_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "regalerts.db"
    path.touch(mode=0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o600


@pytest.mark.usefixtures("open_umask")
def test_a_secret_is_never_readable_by_others_not_even_before_a_chmod(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_chmod(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("created open, then chmod-ed")

    monkeypatch.setattr(Path, "chmod", no_chmod)
    monkeypatch.setattr(os, "chmod", no_chmod)
    write_private(tmp_path / "token", "s3cret")
    assert _mode(tmp_path / "token") == 0o600
    assert (tmp_path / "token").read_text() == "s3cret"


@pytest.mark.usefixtures("open_umask")
def test_var_is_created_0700_and_an_open_one_is_tightened(tmp_path: Path) -> None:
    assert _mode(private_dir(tmp_path / "a" / "var")) == 0o700
    (tmp_path / "b").mkdir(mode=0o755)
    assert _mode(private_dir(tmp_path / "b")) == 0o700
