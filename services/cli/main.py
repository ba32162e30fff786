"""The ``regalerts`` command: run services, the embedded broker, the whole product, and maintenance tasks."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
from collections.abc import Sequence

from services.pipeline.logging import configure_logging
from services.pipeline.parent_death import term_on_parent_death

log = logging.getLogger(__name__)

SERVICES = ("ingest", "classify", "notify", "web")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _die_with_supervisor() -> None:
    """Under ``regalerts up``, have Linux send this service SIGTERM when ``up`` dies, even by SIGKILL, so no
    service (nor, through its graceful shutdown, anything it started) outlives it."""
    from services.cli.supervisor import SUPERVISOR_PID_VARIABLE

    supervisor = os.environ.get(SUPERVISOR_PID_VARIABLE, "")
    request = term_on_parent_death()
    if not supervisor.isdigit() or request is None:
        return
    request()
    if os.getppid() != int(supervisor):  # up was already gone before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _end_own_group() -> None:
    """Under ``regalerts up`` a service leads its own process group: as it exits, end what it started and
    left running (ingest's parse workers), which would otherwise outlive it."""
    from services.cli.supervisor import SUPERVISOR_PID_VARIABLE

    if os.environ.get(SUPERVISOR_PID_VARIABLE) and os.getpgrp() == os.getpid():
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.killpg(os.getpid(), signal.SIGTERM)


def _run_service(args: argparse.Namespace) -> int:
    _die_with_supervisor()
    module = importlib.import_module(f"services.{args.service}.main")
    try:
        result: int | None = module.main()
    finally:
        _end_own_group()
    return result or 0


def _add_service_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name in SERVICES:
        parser = subparsers.add_parser(name, help=f"run the {name} service (HTTP API and workers)")
        parser.set_defaults(func=_run_service, service=name)
        try:
            commands = importlib.import_module(f"services.{name}.commands")
        except ModuleNotFoundError as exc:
            if exc.name is None or not f"services.{name}.commands".startswith(exc.name):
                raise  # a module the commands import is missing: a real error
            continue
        commands.add_commands(subparsers)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    from services.cli import broker, database, docs, up, users

    parser = argparse.ArgumentParser(prog="regalerts", description="Regulatory action alerts.")
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING or ERROR (default from settings)")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up.add_commands(subparsers)
    broker.add_commands(subparsers)
    database.add_commands(subparsers)
    docs.add_commands(subparsers)
    users.add_commands(subparsers)
    _add_service_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``regalerts`` console script.

    A bad setting or argument ends with one line saying what is wrong and exit code 2, not a traceback.
    """
    from alembic.util import CommandError
    from pydantic import ValidationError

    from services.pipeline.settings import CommonSettings

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        level = (args.log_level or CommonSettings().log_level).upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"unknown log level {level!r} (one of {', '.join(LOG_LEVELS)})")
        configure_logging(level, "cli")
        sys.exit(args.func(args))
    except ValidationError as exc:
        problems = "; ".join(f"REGALERTS_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        parser.exit(2, f"regalerts: bad setting: {problems}\n")
    except (ValueError, CommandError) as exc:
        parser.exit(2, f"regalerts: {exc}\n")


if __name__ == "__main__":
    main()
