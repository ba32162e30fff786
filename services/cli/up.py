"""``regalerts up``: the whole product on one machine — embedded broker, the three services, SQLite."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import secrets
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from services.cli.database import upgrade
from services.cli.supervisor import Child
from services.pipeline.broker import EmbeddedBroker, create_topics, free_port, port_is_free
from services.pipeline.private_files import private_dir, write_private
from services.pipeline.settings import CommonSettings

log = logging.getLogger(__name__)

PORTS = {"ingest": 8701, "classify": 8702, "notify": 8703}
EMBEDDED_BROKER_PORT = 19092


@contextlib.contextmanager
def _broker(settings: CommonSettings, var: Path) -> Iterator[tuple[str, EmbeddedBroker | None]]:
    """The configured bootstrap servers, or an embedded broker started for the duration of the block."""
    if settings.bootstrap_servers:
        yield settings.kafka_bootstrap_servers, None
        return
    with EmbeddedBroker(available_port(EMBEDDED_BROKER_PORT), log_path=var / "broker.log") as broker:
        create_topics(broker.bootstrap)
        print(f"  broker    embedded, {broker.bootstrap} (memory only)")
        yield broker.bootstrap, broker


def restart_with_broker(broker: EmbeddedBroker, children: list[Child], timeout_s: float) -> None:
    """The embedded broker exited: start it again and restart every service, whose Kafka clients cannot
    recover from a broker that lost all its state. Ingest republishes its recent items; notify's idempotency
    keeps subscribers from seeing them twice."""
    print(f"  broker    exited with code {broker.exit_code}: restarting it and every service", flush=True)
    log.warning("Embedded broker exited, restarting it and the services", extra={"code": broker.exit_code})
    for child in children:
        child.stop(timeout=timeout_s)
    broker.start()
    create_topics(broker.bootstrap)
    for child in children:
        if child.name == "ingest":
            child.env["REGALERTS_REPUBLISH_ON_START"] = "true"  # the new broker holds none of its items
        child.start()
    for child in children:
        child.wait_ready(timeout=90)
    print("  broker    back; services restarted", flush=True)


def available_port(preferred: int) -> int:
    """``preferred`` when it is free on 127.0.0.1, else any free port."""
    return preferred if port_is_free("127.0.0.1", preferred) else free_port()


def database_url_for(var: Path) -> str:
    """REGALERTS_DATABASE_URL, else a SQLite file in ``var``."""
    return os.environ.get("REGALERTS_DATABASE_URL") or f"sqlite:///{(var / 'regalerts.db').resolve()}"


def admin_token(var: Path) -> str:
    """REGALERTS_ADMIN_TOKEN, else a token generated once and kept in var/admin-token (mode 0600)."""
    configured = os.environ.get("REGALERTS_ADMIN_TOKEN", "")
    if configured:
        return configured
    path = var / "admin-token"
    if not path.exists():
        write_private(path, secrets.token_urlsafe(32))
    return path.read_text(encoding="utf-8").strip()


# Settings only one service needs stay out of the others' environment (the admin token above all).
SERVICE_ONLY = {"REGALERTS_ADMIN_TOKEN": "ingest", "REGALERTS_CLASSIFY_URL": "notify"}


def _children(var: Path, env: dict[str, str]) -> list[Child]:
    children = []
    ports = {name: available_port(preferred) for name, preferred in PORTS.items()}
    env = {**env, "REGALERTS_CLASSIFY_URL": f"http://127.0.0.1:{ports['classify']}"}  # notify checks names there
    for name, port in ports.items():
        own = {key: value for key, value in env.items() if SERVICE_ONLY.get(key, name) == name}
        children.append(Child(name, port, {**own, "REGALERTS_HTTP_PORT": str(port)}, var / "logs" / f"{name}.log"))
    return children


def run_up(*, demo: bool, var: Path, stop: threading.Event) -> int:
    """Start everything, print where to look, supervise until ``stop`` is set."""
    settings = CommonSettings()
    private_dir(var)
    database_url = database_url_for(var)
    print("RegAlerts is starting")
    upgrade(database_url)
    print(f"  database  {database_url}")
    with _broker(settings, var) as (bootstrap, broker):
        token = admin_token(var)
        env = {
            "REGALERTS_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "REGALERTS_DATABASE_URL": database_url,
            "REGALERTS_ADMIN_TOKEN": token,
        }
        demo_env: dict[str, str] = {}
        if demo:
            from services.cli.demo import demo_environment

            demo_env = demo_environment()
        children = _children(var, {**env, **demo_env})
        try:
            for child in children:
                child.start()
            for child in children:
                child.wait_ready(timeout=90)
                print(f"  {child.name:<9} {child.url}  (logs: {child.log_path})")
            notify = children[2]
            print(f"\nOpen {notify.url}/docs for the API (ingest's admin token is in {var / 'admin-token'}).")
            if demo:
                from services.cli.demo import DEMO_PORT, run_demo

                urls = {c.name: c.url for c in children}
                run_demo(children=urls, var=var, env=env, port=available_port(DEMO_PORT))
            print("Ctrl-C stops everything.", flush=True)
            while not stop.wait(1.0):
                if broker is not None and broker.exit_code is not None:
                    restart_with_broker(broker, children, settings.shutdown_timeout_s)
                for child in children:
                    child.restart_if_exited()
        finally:
            for child in children:
                child.stop(timeout=settings.shutdown_timeout_s)
    print("RegAlerts stopped.")
    return 0


def _up(args: argparse.Namespace) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return run_up(demo=args.demo, var=Path(args.var), stop=stop)


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``up``."""
    parser = subparsers.add_parser("up", help="run the whole product on this machine")
    parser.add_argument("--demo", action="store_true", help="serve sample feeds and show their alerts")
    parser.add_argument("--var", default="var", help="folder for the database and logs (default ./var)")
    parser.set_defaults(func=_up)
