"""``regalerts feeds load-catalog | list | add URL | import-opml FILE | export-opml``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.catalog import install_catalog
from services.ingest.opml import InvalidOPML, export_opml, import_opml
from services.ingest.registry import InvalidFeed, Registered, register
from services.ingest.schemas import FeedCreate, first_error, to_public
from services.ingest.settings import IngestSettings
from services.ingest.store import FeedExists, list_feeds
from services.pipeline.db import make_engine, make_session_factory
from services.pipeline.netguard import NetworkPolicy


def _context() -> tuple[IngestSettings, sessionmaker[Session], NetworkPolicy]:
    settings = IngestSettings()
    return settings, make_session_factory(make_engine(settings.database_url)), NetworkPolicy(settings.ssrf_allow_cidrs)


def _print_report(what: str, report: Registered) -> int:
    print(f"{what}: {report.created} feeds registered, {report.existing} already registered")
    for skipped in report.skipped:
        print(f"skipped: {skipped['url']}: already registered as {skipped['id']}")
    for refusal in report.refused:
        print(f"refused: {refusal['url']}: {refusal['error']}", file=sys.stderr)
    return 0 if not report.refused else 1


def _load_catalog(_args: argparse.Namespace) -> int:
    settings, sessions, policy = _context()
    return _print_report("catalog", install_catalog(sessions, policy=policy, floor_s=settings.poll_interval_floor_s))


def _list(_args: argparse.Namespace) -> int:
    settings, sessions, _policy = _context()
    with sessions() as session:
        for feed in list_feeds(session):
            public = to_public(feed, failing_threshold=settings.failing_threshold)
            print(json.dumps(public.model_dump(mode="json"), ensure_ascii=False))
    return 0


# The option that sets each FeedCreate field, for error messages.
_OPTIONS = {"url": "URL", "poll_interval_s": "--interval"}


def _usage_error(exc: ValidationError) -> str:
    """One line naming the offending option, e.g. ``--interval: Input should be greater than 0``."""
    field, message = first_error(exc)
    return f"{_OPTIONS.get(field, f'--{field}')}: {message}"


def _add(args: argparse.Namespace) -> int:
    settings, sessions, policy = _context()
    try:
        spec = FeedCreate(
            url=args.url,
            title=args.title,
            language=args.language,
            regulator=args.regulator,
            jurisdiction=args.jurisdiction,
            poll_interval_s=args.interval,
        )
    except ValidationError as exc:
        print(f"error: {_usage_error(exc)}", file=sys.stderr)
        return 2
    try:
        with sessions.begin() as session:
            feed = register(session, spec, policy=policy, floor_s=settings.poll_interval_floor_s)
            feed_id = feed.id
    except FeedExists as exc:
        print(f"skipped: {args.url} is already registered as {exc.feed_id}", file=sys.stderr)
        return 1
    except InvalidFeed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(feed_id)
    return 0


def _import_opml(args: argparse.Namespace) -> int:
    settings, sessions, policy = _context()
    try:
        report = import_opml(
            Path(args.file).read_bytes(), sessions, policy=policy, floor_s=settings.poll_interval_floor_s
        )
    except (OSError, InvalidOPML) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return _print_report("opml", report)


def _export_opml(_args: argparse.Namespace) -> int:
    _settings, sessions, _policy = _context()
    with sessions() as session:
        sys.stdout.buffer.write(export_opml(list_feeds(session)))
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``feeds`` commands."""
    feeds = subparsers.add_parser("feeds", help="the feed registry").add_subparsers(dest="feeds_command", required=True)
    feeds.add_parser("load-catalog", help="register the starter catalog's feeds").set_defaults(func=_load_catalog)
    feeds.add_parser("list", help="every feed with its status, one JSON object per line").set_defaults(func=_list)
    add = feeds.add_parser("add", help="register a feed and print its id")
    add.add_argument("url")
    add.add_argument("--title")
    add.add_argument("--language", help="language hint (BCP 47)")
    add.add_argument("--regulator", help="regulator id when the feed is the regulator's own")
    add.add_argument("--jurisdiction", help="ISO 3166 code, EU or INT")
    add.add_argument("--interval", type=float, help="poll interval in seconds")
    add.set_defaults(func=_add)
    opml_in = feeds.add_parser("import-opml", help="register the feeds of an OPML file")
    opml_in.add_argument("file")
    opml_in.set_defaults(func=_import_opml)
    feeds.add_parser("export-opml", help="print every feed as OPML").set_defaults(func=_export_opml)
