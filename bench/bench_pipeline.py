"""Pipeline benchmark: the whole product under load, from an item's appearance in a feed to its alerts.

    .venv/bin/python bench/bench_pipeline.py [--rate 100] [--seconds 60] [--replicas 1] [--subscriptions 10000]
                                             [--postgres] [--poll-interval 10]

The real stack: the embedded broker and ingest, classify and notify as separate processes (classify and
notify ``--replicas`` each), on SQLite (or a private PostgreSQL schema with ``--postgres``). The bench serves
1,000 feeds on 100 loopback hosts on which items appear at ``--rate`` per second, holds 10,000 subscriptions
of 100 tenants (one in twenty by email, to a local SMTP server; the rest to a local webhook receiver), and
times every alert's arrival. Each stage's time comes from the stage headers of the events (classified
events, delivery attempts), the broker acknowledgement from ingest's store. Prints, per stage, the latency
from the item's appearance (which includes the wait for the next poll) and from its first sight in ingest
(the pipeline's own time); CPU seconds per item per service; consumer lag; and the end-to-end histogram
notify exported beside the bench's own figure. The last line sums the run up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bench.pipeline_load.peers import LINK, Peers
from bench.pipeline_load.report import Run, summary
from bench.pipeline_load.stack import Stack, service_env
from bench.pipeline_load.tracker import Tracker
from bench.pipeline_load.world import TEMPLATES, expectations, headlines, subscribe
from services.classify.classifier import Classifier
from services.cli.database import upgrade
from services.ingest.models import Feed, Item
from services.pipeline.broker import EmbeddedBroker, create_topics, free_port
from services.pipeline.db import make_engine, make_session_factory

POSTGRES = os.environ.get("REGALERTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def database(postgres: bool, workdir: Path) -> Iterator[str]:
    """A SQLite file in ``workdir``, or a private PostgreSQL schema dropped afterwards."""
    if not postgres:
        yield f"sqlite:///{workdir / 'regalerts.db'}"
        return
    schema, admin = f"bench_{uuid.uuid4().hex[:10]}", create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def prepare(args: argparse.Namespace, sessions: sessionmaker[Session], hook: str) -> Peers:
    """Subscriptions, headlines with their expected alerts, and the feeds registered in ingest's store."""
    classifier = Classifier.load()
    companies = max(1, round(args.subscriptions / (len(TEMPLATES) * args.matches)))
    rows = headlines(classifier, companies, args.seed)
    subscribe(sessions, rows, subscriptions=args.subscriptions, tenants=args.tenants, hook=hook, seed=args.seed)
    rows = expectations(classifier, sessions, rows)
    return Peers(args.feeds, args.hosts, rows)


def register_feeds(sessions: sessionmaker[Session], peers: Peers, port: int) -> None:
    now = datetime.now(UTC)
    with sessions.begin() as session:
        session.add_all(
            Feed(id=f"{n:032x}", url=peers.feed_url(port, n), title=f"Feed {n}", next_poll_at=now)
            for n in range(peers.feeds)
        )


def e2e_buckets(stack: Stack) -> dict[float, float]:
    samples = stack.metric("notify", "regalerts_end_to_end_latency_seconds_bucket")
    buckets: dict[float, float] = {}
    for labels, value in samples:
        bound = float(labels["le"])
        buckets[bound] = buckets.get(bound, 0.0) + value
    return buckets


def drive(args: argparse.Namespace, peers: Peers, stack: Stack) -> tuple[float, list[int], dict[float, float]]:
    """Wait for every feed's first poll, make items appear, wait until the alerts are in (or the drain ends)."""
    deadline = time.monotonic() + 180
    while peers.polls < peers.feeds and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)
    before = e2e_buckets(stack)
    start = time.time()
    peers.run(peers.publish(args.rate, args.seconds, args.seed))
    lag: list[int] = []
    end = start + args.seconds + args.drain
    while time.time() < end:
        time.sleep(5)
        lag.append(stack.lag())
        if time.time() > start + args.seconds:
            due = sum(peers.rows[h].expected for _t, h in list(peers.appeared.values()))
            if len({a.alert_id for a in list(peers.arrivals)}) >= due:
                break
    after = e2e_buckets(stack)
    return start, lag, {bound: after[bound] - before.get(bound, 0.0) for bound in after}


def acked_times(sessions: sessionmaker[Session]) -> dict[str, float]:
    with sessions() as session:
        rows = session.execute(select(Item.id, Item.acked_at).where(Item.acked_at.is_not(None)))
        return {item: acked.timestamp() for item, acked in rows if acked is not None}  # read back timezone-aware


def stored_seqs(sessions: sessionmaker[Session]) -> set[int]:
    """The sequence numbers of the items ingest stored (saw in a feed)."""
    with sessions() as session:
        links = session.scalars(select(Item.link).where(Item.link.is_not(None)))
        return {int(found.group(1)) for link in links if (found := LINK.search((link or "").encode()))}


def run(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    feed_port, hook_port, smtp_port = free_port(), free_port(), free_port()
    with database(args.postgres, workdir) as url, EmbeddedBroker(log_path=workdir / "broker.log") as broker:
        create_topics(broker.bootstrap)
        upgrade(url)
        sessions = make_session_factory(make_engine(url))
        peers = prepare(args, sessions, f"http://127.0.0.1:{hook_port}/hook")
        peers.start(feed_port, hook_port, smtp_port)
        register_feeds(sessions, peers, feed_port)
        tracker = Tracker(broker.bootstrap)
        tracker.start()
        env = service_env(broker.bootstrap, url, poll_interval_s=args.poll_interval, smtp_port=smtp_port)
        stack = Stack.start(env, {"ingest": 1, "classify": args.replicas, "notify": args.replicas}, workdir / "logs")
        try:
            cpu = stack.cpu_seconds()
            start, lag, histogram = drive(args, peers, stack)
            used = {name: seconds - cpu[name] for name, seconds in stack.cpu_seconds().items()}
            time.sleep(1)
        finally:
            stack.stop()
            tracker.stop()
        result = Run(
            start, args.seconds, dict(peers.appeared), peers.rows, list(peers.arrivals), tracker.stages,
            tracker.seq_of, acked_times(sessions), tracker.matched, used, lag, histogram, stored_seqs(sessions),
        )  # fmt: skip
    print(
        f"pipeline bench: {args.rate:g} items/s for {args.seconds:g} s on {args.feeds} feeds (polled every "
        f"{args.poll_interval:g} s), {args.subscriptions} subscriptions of {args.tenants} tenants, ingest 1, "
        f"classify {args.replicas}, notify {args.replicas}, {'PostgreSQL' if args.postgres else 'SQLite'}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print("\n".join(summary(result)), flush=True)
    if args.keep:
        print(f"logs and store kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="items appearing per second (default 100)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long items appear (default 60)")
    parser.add_argument("--replicas", type=int, default=1, help="processes of classify and of notify (default 1)")
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--matches", type=float, default=2.0, help="subscriptions an item matches on average")
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100, help="loopback addresses the feeds are spread over")
    parser.add_argument("--poll-interval", type=float, default=10.0, help="ingest's poll interval, s (default 10)")
    parser.add_argument("--drain", type=float, default=60.0, help="longest wait for the last alerts, s")
    parser.add_argument("--postgres", action="store_true", help="a private PostgreSQL schema instead of SQLite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the services' logs and the SQLite store")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
