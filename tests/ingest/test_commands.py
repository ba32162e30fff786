"""``regalerts feeds ...`` commands against a SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.cli.main import build_parser
from services.pipeline.db import Base, make_engine
from tests.ingest.conftest import Reply, Site, item, rss


def run(*argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    result: int = args.func(args)
    return result


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    monkeypatch.setenv("REGALERTS_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("REGALERTS_SSRF_ALLOW_CIDRS", "127.0.0.0/8")
    return path


def test_add_list_export_and_import(
    store: Path, site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.serve("/a.xml", Reply(200, rss([item(1), item(2)])))
    site.serve("/b.xml", Reply(200, rss([])))
    assert run("feeds", "add", site.url("/a.xml"), "--title", "A", "--jurisdiction", "gb") == 0
    added = capsys.readouterr()
    feed_id = added.out.strip()
    assert "registered: a feed, 'Test wire', 2 items" in added.err.splitlines()  # beside any log lines
    variant = site.url("/a.xml").replace("http://", "HTTP://") + "?utm_source=x#top"
    assert run("feeds", "add", variant) == 1
    assert capsys.readouterr().err == f"skipped: {variant} is already registered as {feed_id}\n"
    assert run("feeds", "add", "http://10.1.2.3/feed") == 1
    assert "not public" in capsys.readouterr().err

    assert run("feeds", "list") == 0
    [line] = capsys.readouterr().out.splitlines()
    listed = json.loads(line)
    assert (listed["id"], listed["title"], listed["jurisdiction"], listed["status"]["state"]) == (
        feed_id,
        "A",
        "GB",
        "ok",
    )

    assert run("feeds", "export-opml") == 0
    exported = capsys.readouterr().out
    assert site.url("/a.xml") in exported
    opml = tmp_path / "more.opml"
    opml.write_text(exported.replace("/a.xml", "/b.xml"), encoding="utf-8")
    assert run("feeds", "import-opml", str(opml)) == 0
    assert "opml: 1 feeds registered, 0 already registered" in capsys.readouterr().out
    assert run("feeds", "list") == 0
    b_id = json.loads(capsys.readouterr().out.splitlines()[1])["id"]
    assert run("feeds", "import-opml", str(opml)) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [f"skipped: {site.url('/b.xml')}: already registered as {b_id}"]
    assert run("feeds", "import-opml", str(tmp_path / "missing.opml")) == 1


def test_add_refuses_a_url_that_gives_no_feed_unless_forced(
    store: Path, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = site.url("/gone.xml")  # the site answers 404
    assert run("feeds", "add", missing) == 1
    assert capsys.readouterr().err == "error: not registered: HTTP 404 (--force registers it anyway)\n"
    assert run("feeds", "list") == 0
    assert capsys.readouterr().out == ""
    assert run("feeds", "add", missing, "--force") == 0
    forced = capsys.readouterr()
    assert "registered: no feed: HTTP 404" in forced.err.splitlines()
    assert run("feeds", "list") == 0
    status = json.loads(capsys.readouterr().out)["status"]
    assert (status["state"], status["last_error"], status["last_status_code"]) == ("error", "HTTP 404", 404)
    assert run("feeds", "add", "http://10.1.2.3/feed", "--force") == 1
    assert "blocked by SSRF policy" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (["--interval", "-5"], "error: --interval: Input should be greater than 0"),
        (["--title", "x" * 501], "error: --title: String should have at most 500 characters"),
    ],
)
def test_add_with_a_bad_option_prints_one_line_and_exits_2(
    store: Path, site: Site, capsys: pytest.CaptureFixture[str], option: list[str], expected: str
) -> None:
    assert run("feeds", "add", site.url("/a.xml"), *option) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [expected]
    assert captured.out == ""


def test_load_catalog(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("feeds", "load-catalog") == 0
    assert "already registered" in capsys.readouterr().out
    assert run("feeds", "load-catalog") == 0
    assert "0 feeds registered" in capsys.readouterr().out
