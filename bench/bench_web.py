"""Web benchmark: the inbox with 100,000 items, narrowed by three filters plus a full-text search, and a
subscription's preview (notify's matching over the last 30 days).

    .venv/bin/python bench/bench_web.py [--items 100000] [--queries 200] [--postgres URL]

Loads a synthetic read model (English, French, Chinese and German items with regulator, action, company
and language tags) into SQLite and, when PostgreSQL answers, into a private schema there; then times
GET /?<three filters>&q=<word> served by uvicorn on 127.0.0.1, as the server saw it (the time from the
request's arrival to the response's last byte, read from a middleware) and as a client saw it. Floor:
p95 server time < 100 ms on SQLite. On SQLite it also times the subscription form's "Preview the last 30
days" against notify's API served on the same store: a filter that matches often (20 found within the first
page of 500 items) and one that matches nothing (5,000 items sent, 10 calls). Figures go in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi import Request, Response

from services.pipeline.db import Base, make_engine, make_session_factory
from services.web.accounts import add_member, register_tenant
from services.web.app import create_app
from services.web.auth import create_link
from services.web.context import WebContext, make_templates
from services.web.models import Item
from services.web.search import ensure_index, rebuild_index
from services.web.settings import WebSettings
from services.web.text import index_text, tag_token
from tests.notify.conftest import ServedApp, serve_api

FLOOR_MS = 100.0
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REGULATORS = [(f"reg{n}", f"R{n}", j) for n, j in enumerate(["US", "EU", "FR", "CN", "DE", "UK"] * 5)]
ACTIONS = ["fine", "ban", "summons", "investigation", "lawsuit", "settlement", "approval", "warning", "order"]
_SYLLABLES = ["ka", "ro", "mi", "tel", "vo", "na", "lux", "ber", "tri", "sen", "do", "qua", "zen", "fi", "gra"]
COMPANIES = sorted({"".join(random.Random(n).sample(_SYLLABLES, 3)).capitalize() for n in range(700)})[:500]
WORDS = {
    "en": "regulator fines company over data privacy breach antitrust probe merger approval consumers market",
    "fr": "autorité inflige une amende entreprise enquête concurrence données personnelles sanction marché",
    "de": "Behörde verhängt Bußgeld Unternehmen Untersuchung Wettbewerb Datenschutz Verstoß Markt Fusion",
    "zh": "国家市场监督管理总局对公司处以罚款反垄断调查数据安全约谈网络平台企业监管部门",
}


def _title(rng: random.Random, language: str, company: str) -> str:
    words = WORDS[language]
    if language == "zh":
        start = rng.randrange(len(words) - 12)
        return f"{company} {words[start : start + rng.randint(8, 12)]}"
    return " ".join([company, *rng.sample(words.split(), 7)])


def _rows(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    for n in range(count):
        language = rng.choice(["en", "en", "fr", "zh", "de"])
        regulator = rng.choice(REGULATORS)
        action = rng.choice(ACTIONS)
        company = rng.choice(COMPANIES)
        title = _title(rng, language, company)
        published = now - timedelta(minutes=n * 3 + rng.random())
        tags = [("language", language), ("regulator", regulator[0]), ("jurisdiction", regulator[2])]
        tags += [("action", action), ("primary_action", action), ("company", company)]
        row = {
            "id": n + 1, "item_id": f"bench-{n}", "revision": 1, "title": title, "summary": title, "link": None,
            "feed_id": "bench", "source": "bench.example.org", "language": language, "published_at": published,
            "tags": {"language": language, "regulators": [{"id": regulator[0], "name": regulator[1],
                     "acronym": regulator[1], "jurisdiction": regulator[2], "confidence": 0.9, "evidence": []}],
                     "actions": [{"type": action, "primary": True, "confidence": 0.9, "evidence": []}],
                     "companies": [{"id": company, "name": company, "confidence": 0.9, "evidence": []}],
                     "jurisdictions": [regulator[2]], "classifier_version": "bench"},
            "search_text": index_text(title, title, company, regulator[1]),
            "tag_tokens": " ".join(sorted(tag_token(kind, value) for kind, value in tags)),
        }  # fmt: skip
        yield row


def load(engine: Engine, count: int) -> float:
    """The read model with ``count`` items; seconds taken."""
    started = time.perf_counter()
    Base.metadata.create_all(engine)
    batch: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for row in _rows(count):
            batch.append(row)
            if len(batch) >= 5000:
                connection.execute(insert(Item), batch)
                batch = []
        if batch:
            connection.execute(insert(Item), batch)
    ensure_index(engine)
    rebuild_index(engine)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def queries(count: int, seed: int = 11) -> list[dict[str, str]]:
    """Three filters plus a search word, drawn so that most queries find items."""
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        language = rng.choice(["en", "fr", "zh", "de"])
        word = rng.choice(WORDS[language].split()) if language != "zh" else rng.choice(["罚款", "调查", "数据", "平台"])
        regulator = rng.choice(REGULATORS)
        found.append({"language": language, "jurisdiction": regulator[2], "action": rng.choice(ACTIONS), "q": word})
    return found


@contextmanager
def served(
    engine: Engine, settings: WebSettings | None = None, tenant: tuple[str, str] = ("tn_bench", "rak_bench")
) -> Iterator[tuple[httpx.Client, list[float]]]:
    """The app on ``engine`` with a signed-in client of ``tenant`` (notify id, API key), and the server times
    it records (ms)."""
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        web_tenant = register_tenant(session, tenant_id=tenant[0], name=f"bench {tenant[0]}", api_key=tenant[1])
        member = add_member(session, email=f"{tenant[0]}@bench.example", tenant=web_tenant)
        token = create_link(session, member=member, now=datetime.now(UTC), ttl_s=900)
    app = create_app(WebContext(settings or WebSettings(), sessions, make_templates()), {})
    times: list[float] = []

    @app.middleware("http")
    async def timing(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
        return Response(body, status_code=response.status_code, headers=dict(response.headers))

    server = ServedApp(app)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            client.post(f"/signin/{token}")
            yield client, times
    finally:
        server.close()


def measure(engine: Engine, count: int) -> dict[str, float]:
    """p50/p95 of server and client time over the queries."""
    with served(engine) as (client, times):
        for params in queries(50, seed=3):  # warm-up
            client.get("/", params=params)
        times.clear()
        client_ms = []
        shown = 0
        for params in queries(count):
            started = time.perf_counter()
            response = client.get("/", params=params)
            client_ms.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
            shown += response.text.count('class="item-row')
    return {
        "server_p50": statistics.median(times), "server_p95": statistics.quantiles(times, n=20)[18],
        "client_p50": statistics.median(client_ms), "client_p95": statistics.quantiles(client_ms, n=20)[18],
        "items_per_page": shown / count,
    }  # fmt: skip


PREVIEWS = {"matching often": {"actions": "fine"}, "matching nothing": {"companies": "nobody-at-all"}}


def measure_preview(engine: Engine, count: int) -> dict[str, tuple[float, float, int]]:
    """p50/p95 server time (ms) of the subscription preview, and items shown, for each of PREVIEWS."""
    with serve_api(engine) as api:
        settings = WebSettings(web_notify_url=str(api.client.base_url).rstrip("/"))
        with served(engine, settings, (api.tenant_ids["a"], api.keys["a"])) as (client, times):
            page = client.get("/subscriptions/new").text
            csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            figures = {}
            for name, fields in PREVIEWS.items():
                form = {"csrf_token": csrf, "name": "bench", "intent": "preview", "channel": "webhook", **fields}
                client.post("/subscriptions/new", data=form)  # warm-up
                times.clear()
                for _ in range(count):
                    response = client.post("/subscriptions/new", data=form)
                    assert response.status_code == 200, response.status_code
                shown = response.text.count('<li><a href="/items/')
                figures[name] = (statistics.median(times), statistics.quantiles(times, n=20)[18], shown)
    return figures


def _report(store: str, loaded_s: float, figures: dict[str, float]) -> None:
    print(
        f"{store:<10} load {loaded_s:6.1f} s | server p50 {figures['server_p50']:6.1f} ms p95 "
        f"{figures['server_p95']:6.1f} ms | client p50 {figures['client_p50']:6.1f} ms p95 "
        f"{figures['client_p95']:6.1f} ms | {figures['items_per_page']:.1f} items per page"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--postgres", default=POSTGRES_URL)
    args = parser.parse_args()
    load_average = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"inbox with {args.items:,} items, {args.queries} queries of three filters plus a search word")
    print(f"machine: {os.cpu_count()} cores, load average {load_average} (1, 5, 15 min) at the start")
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        loaded = load(engine, args.items)
        sqlite_figures = measure(engine, args.queries)
        _report("SQLite", loaded, sqlite_figures)
        for name, (p50, p95, shown) in measure_preview(engine, 20).items():
            print(f"preview, {name:<16} server p50 {p50:6.1f} ms p95 {p95:6.1f} ms | {shown} items shown")
        engine.dispose()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(args.postgres)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        print(f"PostgreSQL   not measured: {exc.__class__.__name__}")
    else:
        try:
            engine = make_engine(f"{args.postgres}?options=-csearch_path%3D{schema}")
            _report("PostgreSQL", load(engine, args.items), measure(engine, args.queries))
            engine.dispose()
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    verdict = "meets" if sqlite_figures["server_p95"] < FLOOR_MS else "MISSES"
    print(f"SQLite p95 server time {sqlite_figures['server_p95']:.1f} ms {verdict} the floor of {FLOOR_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
