"""Notify benchmark: matching cost per item with 100,000 subscriptions and 20,000 watchlist entities, the
intake's CPU per item with 10,000 subscriptions, and webhook delivery throughput.

    .venv/bin/python bench/bench_notify.py [--subscriptions 100000] [--watchlist-entities 20000] [--items 2000]
        [--deliveries 3000] [--intake-subscriptions 10000] [--intake-items 1000]

Prints figures and their ratio to the floors (matching, subscriptions and watchlists together: under 1 ms
per item; delivery: at least 500 webhooks/s to a local receiver, every attempt recorded in the store); the
intake's CPU per item has no floor.
Figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.notify.intake import Intake
from services.notify.main import build_context
from services.notify.matching import MatchIndex, Rule, features_of, match, matches
from services.notify.models import Delivery, WatchlistEntity
from services.notify.schemas import Filters, SubscriptionCreate
from services.notify.settings import NotifySettings
from services.notify.store import create_subscription, create_tenant
from services.notify.watchlists import WatchlistIndex
from services.notify.worker import DeliveryWorker
from services.pipeline.broker import free_port
from services.pipeline.db import Base, make_engine
from services.pipeline.events import ActionType, ClassifiedItem
from tests.notify.conftest import make_item

MATCH_FLOOR_MS = 1.0
DELIVERY_FLOOR_PER_S = 500.0
COMPANIES = [f"company-{n}" for n in range(20_000)]
REGULATORS = [
    (f"reg-{n}", f"Regulator {n}", f"R{n}", random.Random(n).choice(["US", "GB", "DE", "FR", "CN"])) for n in range(300)
]
ACTIONS = [a.value for a in ActionType]
JURISDICTIONS = ["US", "GB", "DE", "FR", "CN", "JP", "EU", "US-NY", "BR", "IN"]
LANGUAGES = ["en", "de", "fr", "zh", "ja", "pt"]
KEYWORDS = [f"keyword{n}" for n in range(5_000)]


def random_filters(rng: random.Random) -> Filters:
    """A realistic subscription: mostly company or regulator watches, a few broad ones, 0.1% match-all."""
    filters: dict[str, object] = {}
    kind = rng.random()
    if kind < 0.60:
        filters["companies"] = rng.sample(COMPANIES, rng.randint(1, 5))
    elif kind < 0.82:
        filters["regulators"] = [rng.choice(REGULATORS)[2] for _ in range(rng.randint(1, 3))]
    elif kind < 0.95:
        filters["keywords"] = rng.sample(KEYWORDS, rng.randint(1, 3))
    elif kind < 0.999:
        filters["jurisdictions"] = rng.sample(JURISDICTIONS, 1)
        filters["actions"] = rng.sample(ACTIONS, rng.randint(1, 3))
    if kind < 0.999 and rng.random() < 0.4:
        filters["actions"] = rng.sample(ACTIONS, rng.randint(1, 3))
    if kind < 0.999 and rng.random() < 0.2:
        filters["languages"] = rng.sample(LANGUAGES, 1)
    if rng.random() < 0.2:
        filters["min_confidence"] = 0.7
    return Filters.model_validate(filters)


def random_item(rng: random.Random, n: int) -> ClassifiedItem:
    regulators = [(r[0], r[1], r[2], r[3], 0.9) for r in rng.sample(REGULATORS, rng.randint(0, 2))]
    words = " ".join(rng.sample(KEYWORDS, 3))
    return make_item(
        f"bench:{n}",
        title=f"Regulator acts on {words}",
        summary="A regulatory action against several companies. " * 4,
        companies=[(c, c.title(), rng.random()) for c in rng.sample(COMPANIES, rng.randint(0, 4))],
        regulators=regulators,
        actions=[(a, rng.random()) for a in rng.sample(ACTIONS, rng.randint(0, 2))],
        jurisdictions=rng.sample(JURISDICTIONS, rng.randint(0, 2)),
        language=rng.choice(LANGUAGES),
    )


def bench_matching(subscriptions: int, items: int) -> float:
    """Mean milliseconds per item through the index; prints percentiles and the linear-scan comparison."""
    rng = random.Random(42)
    filters = [random_filters(rng) for _ in range(subscriptions)]
    started = time.perf_counter()
    rules = [Rule.from_filters(f"s{n}", f"t{n % 500}", f) for n, f in enumerate(filters)]
    rules_s = time.perf_counter() - started
    index = MatchIndex(rules)
    build_s = time.perf_counter() - started - rules_s
    sample = [random_item(rng, n) for n in range(items)]
    timings, matched = [], 0
    for item in sample:
        started = time.perf_counter()
        matched += len(match(item, index))
        timings.append((time.perf_counter() - started) * 1000)
    scan = []
    for item in sample[:50]:
        started = time.perf_counter()
        offered = features_of(item, index.keywords)
        _ = [r for r in rules if matches(r, offered)]
        scan.append((time.perf_counter() - started) * 1000)
    mean, p99 = statistics.fmean(timings), sorted(timings)[int(len(timings) * 0.99)]
    print(
        f"matching: {subscriptions} subscriptions, rules normalised in {rules_s:.2f} s, index built in {build_s:.2f} s"
    )
    print(
        f"matching: {items} items, {matched / items:.2f} matches/item, mean {mean:.3f} ms, "
        f"p50 {statistics.median(timings):.3f} ms, p99 {p99:.3f} ms per item"
    )
    print(
        f"matching: linear scan {statistics.fmean(scan):.1f} ms per item "
        f"({statistics.fmean(scan) / mean:.0f}x slower than the index)"
    )
    print(f"matching: floor {MATCH_FLOOR_MS} ms/item -> {MATCH_FLOOR_MS / mean:.1f}x under the floor")
    return mean


def bench_watchlists(entities: int, items: int) -> float:
    """Mean milliseconds per item to find every tenant's watchlist entities in its title and summary."""
    rng = random.Random(7)
    names = [f"Supplier {n} Holdings" for n in range(entities)]
    stored = [
        WatchlistEntity(id=f"e{n}", tenant_id=f"t{n % 500}", name=name, aliases=[f"Supplier {n}"])
        for n, name in enumerate(names)
    ]
    started = time.perf_counter()
    index = WatchlistIndex(stored)
    build_s = time.perf_counter() - started
    texts = [(f"Regulator fines {rng.choice(names)}", f"{rng.choice(names)} and others. " * 4) for _ in range(items)]
    timings, hits = [], 0
    for title, summary in texts:
        started = time.perf_counter()
        hits += sum(len(found) for found in index.find(title, summary).values())
        timings.append((time.perf_counter() - started) * 1000)
    mean, p99 = statistics.fmean(timings), sorted(timings)[int(len(timings) * 0.99)]
    print(f"watchlists: {entities} entities of 500 tenants, automaton built in {build_s:.2f} s")
    print(
        f"watchlists: {items} items, {hits / items:.2f} hits/item, mean {mean:.3f} ms, "
        f"p50 {statistics.median(timings):.3f} ms, p99 {p99:.3f} ms per item"
    )
    return mean


def bench_intake(subscriptions: int, items: int) -> float:
    """CPU milliseconds per item of the intake (match, explain, store the deliveries) on SQLite, ten items per
    transaction as a poll brings them."""
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/intake.db")
        Base.metadata.create_all(engine)
        context = build_context(NotifySettings(database_url=str(engine.url), unsubscribe_secret="b"), engine)
        with context.sessions.begin() as session:
            tenants = [create_tenant(session, name=f"t{n}")[0].id for n in range(100)]
            for n in range(subscriptions):
                data = SubscriptionCreate.model_validate(
                    {
                        "name": f"s{n}",
                        "filters": random_filters(rng).model_dump(exclude_defaults=True),
                        "channel": {"type": "webhook", "url": f"https://hooks.example.org/{n}"},
                    }
                )
                create_subscription(session, tenant_id=tenants[n % 100], data=data)
        intake = Intake(session_factory=context.sessions)
        sample = [random_item(rng, n) for n in range(items + 1)]
        intake.ingest(sample[0])  # builds the index
        started = time.process_time()
        stored = sum(intake.ingest_all([(item, None) for item in sample[n : n + 10]]) for n in range(1, items + 1, 10))
        cpu_ms = (time.process_time() - started) * 1000 / items
        engine.dispose()
    print(
        f"intake: {items} items against {subscriptions} subscriptions, {stored / items:.1f} deliveries stored per "
        f"item, {cpu_ms:.2f} CPU ms per item ({cpu_ms / max(stored / items, 1):.3f} per delivery)"
    )
    return cpu_ms


RECEIVER = """
import sys, uvicorn
count = 0
async def app(scope, receive, send):
    global count
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    if scope["method"] == "POST":
        count += 1
        body = b""
    else:
        body = str(count).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
uvicorn.run(app, host="0.0.0.0", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


def bench_delivery(deliveries: int, endpoints: int) -> float:
    """Webhooks per second from the store to a local receiver, every attempt recorded."""
    port = free_port()
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(port)])
    try:
        with tempfile.TemporaryDirectory() as folder:
            return _deliver(f"sqlite:///{folder}/bench.db", port, deliveries, endpoints)
    finally:
        receiver.terminate()
        receiver.wait(10)


def _deliver(database_url: str, port: int, deliveries: int, endpoints: int) -> float:
    """Each endpoint is its own origin (127.0.0.N), as subscribers' webhooks are."""
    base = f"http://127.0.0.1:{port}"
    settings = NotifySettings(
        database_url=database_url,
        ssrf_allow_cidrs="127.0.0.0/8",
        unsubscribe_secret="b",
        delivery_poll_interval_s=0.05,
        delivery_batch_size=500,
    )
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    context = build_context(settings, engine)
    with context.sessions.begin() as session:
        tenant, _ = create_tenant(session, name="bench")
        for n in range(endpoints):
            data = SubscriptionCreate.model_validate(
                {"name": f"e{n}", "channel": {"type": "webhook", "url": f"http://127.0.0.{n + 1}:{port}/hook"}}
            )
            create_subscription(session, tenant_id=tenant.id, data=data)
    _wait_up(base)
    intake = Intake(session_factory=context.sessions)
    for n in range(deliveries // endpoints):
        intake.ingest(make_item(f"bench:{n}"))
    worker = DeliveryWorker(
        settings=settings, session_factory=context.sessions, make_dispatcher=context.make_dispatcher
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    total = (deliveries // endpoints) * endpoints
    while _delivered(context, total) < total:
        time.sleep(0.05)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    worker.stop()
    thread.join(30)
    received = int(httpx.get(base).text)
    rate = total / elapsed
    print(
        f"delivery: {total} signed webhooks to {endpoints} endpoints in {elapsed:.2f} s = {rate:.0f}/s "
        f"(receiver counted {received}); store: SQLite"
    )
    print(f"delivery: {cpu:.2f} CPU-s in the notify process = {total / cpu:.0f} webhooks per CPU-second")
    engine.dispose()
    return rate


def _wait_up(base: str) -> None:
    for _ in range(100):
        try:
            httpx.get(base)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("receiver did not start")


def _delivered(context: object, total: int) -> int:
    from sqlalchemy import func, select

    with context.sessions() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count(Delivery.id)).where(Delivery.status == "delivered")) or 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--watchlist-entities", type=int, default=20_000)
    parser.add_argument("--deliveries", type=int, default=3_000)
    parser.add_argument("--endpoints", type=int, default=20)
    parser.add_argument("--intake-subscriptions", type=int, default=10_000)
    parser.add_argument("--intake-items", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3, help="delivery runs (the machine may be shared)")
    args = parser.parse_args()
    mean = bench_matching(args.subscriptions, args.items)
    mean += bench_watchlists(args.watchlist_entities, args.items)  # intake does both for each item
    print(
        f"matching and watchlists: {mean:.3f} ms/item, floor {MATCH_FLOOR_MS} ms -> {MATCH_FLOOR_MS / mean:.1f}x under"
    )
    bench_intake(args.intake_subscriptions, args.intake_items)
    rates = sorted(bench_delivery(args.deliveries, args.endpoints) for _ in range(args.runs))
    rate = statistics.median(rates)
    print(f"delivery: {len(rates)} runs, median {rate:.0f}/s, best {rates[-1]:.0f}/s, worst {rates[0]:.0f}/s")
    print(f"delivery: floor {DELIVERY_FLOOR_PER_S:.0f}/s -> median {rate / DELIVERY_FLOOR_PER_S:.1f}x the floor")
    ok = mean < MATCH_FLOOR_MS and rate >= DELIVERY_FLOOR_PER_S
    print("floors: " + ("met" if ok else "NOT met"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
