"""The regalerts command ends bad input with one clear line and exit code 2, not a traceback."""

from __future__ import annotations

import pytest

from services.cli.main import main
from tests.conftest import logging_kept


def _exit(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with logging_kept(), pytest.raises(SystemExit) as stopped:
        main(argv)
    return int(stopped.value.code or 0), capsys.readouterr().err


def test_unknown_log_level(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _exit(["--log-level", "BOGUS", "docs", "generate", "--check"], capsys)
    assert code == 2
    assert err.strip() == "regalerts: unknown log level 'BOGUS' (one of DEBUG, INFO, WARNING, ERROR, CRITICAL)"


def test_bad_setting_names_its_variable(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGALERTS_LOG_LEVEL", "loud")
    code, err = _exit(["docs", "generate", "--check"], capsys)
    assert code == 2
    assert err.startswith("regalerts: bad setting: REGALERTS_LOG_LEVEL:")
    assert "Traceback" not in err


def test_unknown_migration_revision(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    monkeypatch.setenv("REGALERTS_DATABASE_URL", sqlite_url)
    code, err = _exit(["db", "upgrade", "nosuchrevision"], capsys)
    assert code == 2
    assert "nosuchrevision" in err


def test_a_good_command_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _exit(["docs", "generate", "--check"], capsys)
    assert code == 0
