"""The web service: consume items and deliveries into its read model, serve the pages."""

from __future__ import annotations

from services.pipeline.db import make_engine, make_session_factory, ping
from services.pipeline.http import kafka_ready_check
from services.pipeline.kafka import ConsumerLoop, make_producer
from services.pipeline.logging import configure_logging
from services.pipeline.runner import Service, run_service
from services.pipeline.topics import DELIVERIES, ITEMS_CLASSIFIED
from services.web.app import create_app
from services.web.consumer import ReadModel
from services.web.context import WebContext, make_templates
from services.web.search import ensure_index
from services.web.settings import WebSettings


def build_service(settings: WebSettings) -> Service:
    """Wire the two consumers (items, deliveries) and the pages."""
    engine = make_engine(settings.database_url)
    ensure_index(engine)
    sessions = make_session_factory(engine)
    context = WebContext(settings, sessions, make_templates())
    producer = make_producer(settings, client_id="web")
    read_model = ReadModel(sessions)
    consumers = [
        ConsumerLoop(
            settings=settings, topic=topic, group_id=group, stage="web", handler=read_model.handle, producer=producer
        )
        for topic, group in (
            (ITEMS_CLASSIFIED, settings.web_consumer_group),
            (DELIVERIES, f"{settings.web_consumer_group}-deliveries"),
        )
    ]
    checks = {"database": lambda: ping(engine), "broker": kafka_ready_check(settings.bootstrap_servers)}
    return Service(
        name="web",
        app=create_app(context, checks),
        workers=list(consumers),
        port=settings.http_port,
        on_shutdown=[producer.close, engine.dispose],
    )


def main() -> int:
    """Run the web service with settings from the environment."""
    settings = WebSettings()
    configure_logging(settings.log_level, "web")
    return run_service(build_service(settings), settings)
