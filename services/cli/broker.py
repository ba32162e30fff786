"""``regalerts broker`` and ``regalerts topics create``."""

from __future__ import annotations

import argparse
import signal
import threading

from services.pipeline.broker import EmbeddedBroker, create_topics
from services.pipeline.settings import CommonSettings


def _broker(args: argparse.Namespace) -> int:
    settings = CommonSettings()
    if settings.bootstrap_servers:
        print(
            f"REGALERTS_KAFKA_BOOTSTRAP_SERVERS is set ({settings.kafka_bootstrap_servers}): "
            "use that broker; the embedded one is for a single machine without one."
        )
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with EmbeddedBroker(args.port, die_with_parent=True) as broker:
        create_topics(broker.bootstrap)
        print(f"Embedded broker listening on {broker.bootstrap} (memory only). Ctrl-C stops it.")
        print(f"  export REGALERTS_KAFKA_BOOTSTRAP_SERVERS={broker.bootstrap}", flush=True)
        stop.wait()
    return 0


def _create_topics(args: argparse.Namespace) -> int:
    settings = CommonSettings()
    if not settings.bootstrap_servers:
        print("REGALERTS_KAFKA_BOOTSTRAP_SERVERS is not set: nothing to create topics on.")
        return 2
    created = create_topics(settings.bootstrap_servers, replication_factor=args.replication_factor)
    print("created: " + (", ".join(created) if created else "nothing (all topics exist)"))
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``broker`` and ``topics create``."""
    parser = subparsers.add_parser("broker", help="run the embedded Kafka-compatible broker (memory only)")
    parser.add_argument("--port", type=int, default=19092, help="port on 127.0.0.1 (default 19092)")
    parser.set_defaults(func=_broker)
    topics = subparsers.add_parser("topics", help="Kafka topics")
    topic_commands = topics.add_subparsers(dest="topics_command", required=True)
    create = topic_commands.add_parser("create", help="create every topic and DLQ that does not exist yet")
    create.add_argument("--replication-factor", type=int, default=1)
    create.set_defaults(func=_create_topics)
