"""``regalerts up``: the whole product on one machine — embedded broker, the services, SQLite."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import secrets
import shlex
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from services.cli.database import upgrade
from services.cli.demo import DEMO_PORT, DEMO_SMTP_PORT, DemoServer, bind_demo, demo_environment, run_demo
from services.cli.ports import PortPlan, parse_port_options, plan_ports
from services.cli.replicas import parse_replicas, replica_name
from services.cli.supervisor import Child
from services.pipeline.broker import EmbeddedBroker, create_topics, free_port, port_is_free
from services.pipeline.private_files import private_dir, write_private
from services.pipeline.settings import CommonSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Service:
    """A service ``up`` runs: its name (``regalerts <name>``), default port, and the setting, if any, through
    which it learns its own base URL (to build the links it hands out)."""

    name: str
    port: int
    url_setting: str | None = None


SERVICES = (
    Service("ingest", 8701),
    Service("classify", 8702),
    Service("notify", 8703, url_setting="REGALERTS_PUBLIC_BASE_URL"),
    Service("web", 8704, url_setting="REGALERTS_WEB_PUBLIC_URL"),
)
EMBEDDED_BROKER_PORT = 19092
# Settings only one service needs stay out of the others' environment (the admin token above all).
SERVICE_ONLY = {
    "REGALERTS_ADMIN_TOKEN": "ingest",
    "REGALERTS_CLASSIFY_URL": "notify",
    "REGALERTS_WEB_NOTIFY_URL": "web",
    "REGALERTS_WEB_CLASSIFY_URL": "web",
    "REGALERTS_WEB_INGEST_URL": "web",
    "REGALERTS_WEB_INGEST_ADMIN_TOKEN": "web",
    "REGALERTS_NOTIFY_ADMIN_TOKEN": "notify",
    "REGALERTS_WEB_NOTIFY_ADMIN_TOKEN": "web",
}
ENV_FILE = "regalerts.env"


def default_ports(*, demo: bool, embedded_broker: bool) -> dict[str, int]:
    """The default port of every process this run starts."""
    ports = {service.name: service.port for service in SERVICES}
    if demo:
        ports["demo"] = DEMO_PORT
        ports["smtp"] = DEMO_SMTP_PORT
    if embedded_broker:
        ports["broker"] = EMBEDDED_BROKER_PORT
    return ports


@contextlib.contextmanager
def _broker(settings: CommonSettings, var: Path, port: int | None) -> Iterator[tuple[str, EmbeddedBroker | None]]:
    """The configured bootstrap servers, or an embedded broker started for the duration of the block."""
    if port is None:
        yield settings.kafka_bootstrap_servers, None
        return
    with EmbeddedBroker(port, log_path=var / "broker.log", die_with_parent=True) as broker:
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
    if not port_is_free(broker.host, broker.port):  # taken meanwhile by another process
        broker.port = free_port(broker.host)
        print(f"  broker    its port was taken meanwhile: it now listens on {broker.port}", flush=True)
    broker.start()
    create_topics(broker.bootstrap)
    for child in children:
        child.env["REGALERTS_KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap
        if child.name == "ingest":
            child.env["REGALERTS_REPUBLISH_ON_START"] = "true"  # the new broker holds none of its items
        child.start()
    for child in children:
        child.wait_ready(timeout=90)
    print("  broker    back; services restarted", flush=True)


def database_url_for(var: Path) -> str:
    """REGALERTS_DATABASE_URL, else a SQLite file in ``var``."""
    return os.environ.get("REGALERTS_DATABASE_URL") or f"sqlite:///{(var / 'regalerts.db').resolve()}"


def admin_token(var: Path) -> str:
    """REGALERTS_ADMIN_TOKEN, else a token generated once and kept in var/admin-token (created 0600)."""
    configured = os.environ.get("REGALERTS_ADMIN_TOKEN", "")
    if configured:
        return configured
    path = var / "admin-token"
    if not path.exists():
        write_private(path, secrets.token_urlsafe(32))
    return path.read_text(encoding="utf-8").strip()


def make_children(
    var: Path, env: dict[str, str], ports: dict[str, int], replicas: dict[str, int] | None = None
) -> list[Child]:
    """``replicas[name]`` children per service (one by default): the first on its planned port, the others on
    free ones, each logging to var/logs/<name>[-<n>].log; all told the first one's URL unless the user
    configured it."""
    children = []
    ingest, classify, notify = (f"http://127.0.0.1:{ports[name]}" for name in ("ingest", "classify", "notify"))
    # notify checks names at classify; the web app acts through notify, looks names up at classify and
    # manages feeds at ingest and tenants at notify (with the admin token, for operators)
    env = {**env, "REGALERTS_CLASSIFY_URL": classify, "REGALERTS_WEB_NOTIFY_URL": notify}
    env |= {"REGALERTS_WEB_CLASSIFY_URL": classify, "REGALERTS_WEB_INGEST_URL": ingest}
    if "REGALERTS_ADMIN_TOKEN" in env:  # one operator token, under each service's own name
        for name in (
            "REGALERTS_WEB_INGEST_ADMIN_TOKEN",
            "REGALERTS_NOTIFY_ADMIN_TOKEN",
            "REGALERTS_WEB_NOTIFY_ADMIN_TOKEN",
        ):
            env[name] = env["REGALERTS_ADMIN_TOKEN"]
    for service in SERVICES:
        own = {key: value for key, value in env.items() if SERVICE_ONLY.get(key, service.name) == service.name}
        if service.url_setting and not os.environ.get(service.url_setting):
            own[service.url_setting] = f"http://127.0.0.1:{ports[service.name]}"
        count = (replicas or {}).get(service.name, 1)
        for index in range(count):
            port = ports[service.name] if index == 0 else free_port()
            name = replica_name(service.name, index, count)
            child_env = {**own, "REGALERTS_HTTP_PORT": str(port)}
            if service.name == "ingest" and count > 1:  # feeds are leased per replica id, kept across restarts
                child_env["REGALERTS_REPLICA_ID"] = (
                    f"{os.environ.get('REGALERTS_REPLICA_ID') or socket.gethostname()}-{name}"
                )
            children.append(Child(service.name, port, child_env, var / "logs" / f"{name}.log"))
    return children


def write_env_file(var: Path, urls: dict[str, str]) -> Path:
    """var/regalerts.env: ``export REGALERTS_<NAME>_URL=...`` for every process, for ``. var/regalerts.env``."""
    lines = ["# Where the processes of the running `regalerts up` listen; load with: . var/regalerts.env"]
    lines += [f"export REGALERTS_{name.upper()}_URL={shlex.quote(url)}" for name, url in urls.items()]
    path = var / ENV_FILE
    write_private(path, "\n".join(lines) + "\n")
    return path


def _supervise(stop: threading.Event, children: list[Child], broker: EmbeddedBroker | None, timeout_s: float) -> None:
    """Restart what crashed until ``stop`` is set."""
    while not stop.wait(0.5):
        if broker is not None and broker.exit_code is not None:
            restart_with_broker(broker, children, timeout_s)
        for child in children:
            child.supervise(time.monotonic())


def _start(children: list[Child]) -> None:
    for child in children:
        child.start()
    for child in children:
        child.wait_ready(timeout=90)
        print(f"  {child.log_path.stem:<9} {child.url}  (logs: {child.log_path})")


def run_up(
    *,
    demo: bool,
    var: Path,
    stop: threading.Event,
    configured_ports: dict[str, int] | None = None,
    replicas: dict[str, int] | None = None,
) -> int:
    """Start everything, print where to look, supervise until ``stop`` is set."""
    settings = CommonSettings()
    plan: PortPlan = plan_ports(
        default_ports(demo=demo, embedded_broker=not settings.bootstrap_servers), configured_ports or {}
    )
    private_dir(var)
    demo_server = bind_demo(plan.ports) if demo else None
    try:
        _run(settings, plan, var, stop, demo_server, replicas)
    finally:
        if demo_server is not None:
            demo_server.close()
    print("RegAlerts stopped.")
    return 0


def _run(
    settings: CommonSettings,
    plan: PortPlan,
    var: Path,
    stop: threading.Event,
    demo: DemoServer | None,
    replicas: dict[str, int] | None,
) -> None:
    """Migrate the store, start the broker and the services (and the demo), supervise until ``stop``."""
    database_url = database_url_for(var)
    print("RegAlerts is starting")
    for chatty in ("alembic", "services.pipeline.broker"):  # the lines below say what they would log
        logging.getLogger(chatty).setLevel(logging.WARNING)
    for line in plan.moved:
        print(f"  {line}")
    upgrade(database_url)
    print(f"  database  {database_url}")
    with _broker(settings, var, plan.ports.get("broker")) as (bootstrap, broker):
        env = {
            "REGALERTS_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "REGALERTS_DATABASE_URL": database_url,
            "REGALERTS_ADMIN_TOKEN": admin_token(var),
        }
        mail = demo.catcher if demo else None
        children = make_children(var, {**env, **(demo_environment(mail) if mail else {})}, plan.ports, replicas)
        try:
            _start(children)
            urls = {child.name: child.url for child in reversed(children)}  # each service's first child
            print(
                f"\nOpen {urls['web']}/ for the web app; members sign in by a link (regalerts users add, users link)."
            )
            print(f"The API is at {urls['notify']}/docs (the operators' admin token is in {var / 'admin-token'}).")
            if demo:
                urls["demo"] = run_demo(server=demo, children=urls, var=var, env=env).url
            print(f"Their URLs are in {write_env_file(var, urls)}. Ctrl-C stops everything.", flush=True)
            _supervise(stop, children, broker, settings.shutdown_timeout_s)
        finally:
            for child in children:
                child.stop(timeout=settings.shutdown_timeout_s)


def _up(args: argparse.Namespace) -> int:
    known = [*default_ports(demo=True, embedded_broker=True)]
    configured = parse_port_options(args.port, known)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return run_up(demo=args.demo, var=Path(args.var), stop=stop, configured_ports=configured, replicas=args.replicas)


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``up``."""
    parser = subparsers.add_parser("up", help="run the whole product on this machine")
    parser.add_argument("--demo", action="store_true", help="serve sample feeds and show their alerts")
    parser.add_argument("--var", default="var", help="folder for the database and logs (default ./var)")
    names = ", ".join(default_ports(demo=True, embedded_broker=True))
    parser.add_argument(
        "--port",
        action="append",
        default=[],
        metavar="NAME=PORT",
        help=f"listen on PORT (an error when taken) instead of the default; NAME: {names}",
    )
    parser.add_argument(
        "--replicas",
        type=_replicas,
        default=None,
        metavar="ingest=I,classify=N,notify=M",
        help="processes of each service (default 1 each); replicas of a service share its work (docs/operations.md)",
    )
    parser.set_defaults(func=_up)


def _replicas(value: str) -> dict[str, int]:
    try:
        return parse_replicas(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
