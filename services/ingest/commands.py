"""``regalerts feeds load-catalog | list | add URL [--force] | import-opml FILE | export-opml``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.catalog import install_catalog
from services.ingest.opml import InvalidOPML, export_opml, import_opml
from services.ingest.recorder import Recorder
from services.ingest.registration import NotAFeed, check_of, enrol, fetch_once, target, verdict
from services.ingest.registry import InvalidFeed, Registered
from services.ingest.schemas import FeedRegister, first_error, public_feeds
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
        for public in public_feeds(session, list_feeds(session), failing_threshold=settings.failing_threshold):
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
        spec = FeedRegister(
            url=args.url,
            title=args.title,
            language=args.language,
            regulator=args.regulator,
            jurisdiction=args.jurisdiction,
            poll_interval_s=args.interval,
            force=args.force,
        )
    except ValidationError as exc:
        print(f"error: {_usage_error(exc)}", file=sys.stderr)
        return 2
    try:
        snapshot = target(sessions, spec, policy=policy, floor_s=settings.poll_interval_floor_s)
        prepared = asyncio.run(fetch_once(settings, policy, snapshot))
        verdict(prepared, force=spec.force)
        feed, _outcome = enrol(sessions, spec, prepared, recorder=Recorder(settings, sessions))
    except (FeedExists, IntegrityError) as exc:
        feed_id = exc.feed_id if isinstance(exc, FeedExists) else "another feed"
        print(f"skipped: {args.url} is already registered as {feed_id}", file=sys.stderr)
        return 1
    except NotAFeed as exc:
        hint = " (--force registers it anyway)" if exc.forceable else ""
        print(f"error: not registered: {exc.error}{hint}", file=sys.stderr)
        return 1
    except InvalidFeed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(feed.id)
    check = check_of(prepared)
    found = f"a feed, {check.title!r}, {check.items} items" if check.feed else f"no feed: {check.error}"
    print(f"registered: {found}", file=sys.stderr)
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
    add.add_argument(
        "--force", action="store_true", help="register it even when the URL gives no feed now (not past the SSRF guard)"
    )
    add.set_defaults(func=_add)
    opml_in = feeds.add_parser("import-opml", help="register the feeds of an OPML file")
    opml_in.add_argument("file")
    opml_in.set_defaults(func=_import_opml)
    feeds.add_parser("export-opml", help="print every feed as OPML").set_defaults(func=_export_opml)
