"""The ingest service: the scheduler polling feeds, the outbox publisher, and the feed API."""

from __future__ import annotations

from functools import partial

from services.ingest import metrics
from services.ingest.api import IngestContext, router
from services.ingest.publisher import Publisher
from services.ingest.scheduler import Scheduler
from services.ingest.settings import IngestSettings
from services.ingest.websub_api import router as websub_router
from services.pipeline.api import service_app
from services.pipeline.db import make_engine, make_session_factory, ping
from services.pipeline.http import kafka_ready_check, ops_router
from services.pipeline.kafka import make_producer
from services.pipeline.logging import configure_logging
from services.pipeline.netguard import NetworkPolicy
from services.pipeline.runner import Service, run_service

DESCRIPTION = """The feed registry of RegAlerts: register, change and poll feeds, import and export OPML.

Every `/v1` call needs `Authorization: Bearer <admin token>` (REGALERTS_ADMIN_TOKEN). Feeds are global:
every tenant's alerts come from the same feeds."""


def build_service(settings: IngestSettings) -> Service:
    """Wire the scheduler, the publisher and the HTTP API."""
    metrics.initialise()
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    policy = NetworkPolicy(settings.ssrf_allow_cidrs)
    timeout_ms = int(settings.publish_timeout_s * 1000)
    producer_factory = partial(
        make_producer,
        settings,
        client_id="ingest",
        max_block_ms=timeout_ms,
        delivery_timeout_ms=timeout_ms,
        request_timeout_ms=max(1000, timeout_ms // 2),
    )
    publisher = Publisher(settings=settings, sessions=sessions, make_producer=producer_factory)
    scheduler = Scheduler(settings=settings, sessions=sessions, policy=policy, on_stored=publisher.wake)
    app = service_app(title="RegAlerts ingest", description=DESCRIPTION)
    app.state.ingest = IngestContext(settings, sessions, policy, scheduler.poll_now, scheduler.check, publisher.wake)
    app.include_router(
        ops_router({"database": lambda: ping(engine), "broker": kafka_ready_check(settings.bootstrap_servers)})
    )
    app.include_router(router)
    app.include_router(websub_router)
    return Service(
        name="ingest", app=app, workers=[scheduler, publisher], port=settings.http_port, on_shutdown=[engine.dispose]
    )


def main() -> int:
    """Run the ingest service with settings from the environment."""
    settings = IngestSettings()
    configure_logging(settings.log_level, "ingest")
    return run_service(build_service(settings), settings)
