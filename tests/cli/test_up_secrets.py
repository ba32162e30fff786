"""`regalerts up` keeps ingest's admin token owner-only from its creation on."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from services.cli.up import admin_token


def test_the_generated_admin_token_is_created_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGALERTS_ADMIN_TOKEN", raising=False)

    def no_chmod(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("created open, then chmod-ed")

    monkeypatch.setattr(Path, "chmod", no_chmod)
    previous = os.umask(0o022)
    try:
        token = admin_token(tmp_path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "admin-token").stat().st_mode) == 0o600
    assert len(token) >= 40
    assert admin_token(tmp_path) == token  # kept, not regenerated
