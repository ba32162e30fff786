"""The classify service: consume raw items, tag them, group them into stories, publish classified items;
serve POST /v1/classify."""

from __future__ import annotations

import logging

from services.classify.service import make_handler
from services.classify.settings import ClassifySettings
from services.classify.stories import StoryIndex
from services.classify.story_stage import make_story_handler
from services.classify.story_store import SqlStories
from services.pipeline.api import service_app
from services.pipeline.db import make_engine, make_session_factory, ping
from services.pipeline.events import RawItem, Tags
from services.pipeline.http import kafka_ready_check, ops_router
from services.pipeline.kafka import ConsumerLoop, make_producer
from services.pipeline.logging import configure_logging
from services.pipeline.runner import Service, run_service
from services.pipeline.topics import ITEMS_RAW, ITEMS_TAGGED

log = logging.getLogger(__name__)


def build_service(settings: ClassifySettings) -> Service:
    """Wire the classifier, the consumer loop and the HTTP API."""
    from services.classify.api import make_router
    from services.classify.classifier import Classifier

    classifier = Classifier.load()
    log.info(
        "Classifier loaded",
        extra={
            "classifier_version": classifier.version,
            "load_seconds": round(classifier.stats.seconds, 2),
        },
    )
    producer = make_producer(settings, client_id="classify")

    def classify(item: RawItem) -> Tags:
        return classifier.classify(
            item.title,
            item.summary,
            item.language,
            regulator_hint=item.regulator_hint,
            jurisdiction_hint=item.jurisdiction_hint,
        )

    loop = ConsumerLoop(
        settings=settings,
        topic=ITEMS_RAW,
        group_id=settings.classify_consumer_group,
        stage="classify",
        handler=make_handler(producer, classify),
        producer=producer,
    )
    engine = make_engine(settings.database_url)
    handle_stories = make_story_handler(producer, StoryIndex(SqlStories(make_session_factory(engine))))
    stories = ConsumerLoop(
        settings=settings,
        topic=ITEMS_TAGGED,
        group_id=settings.stories_consumer_group,
        stage="stories",
        handler=lambda message: handle_stories([message]),
        producer=producer,
        batch_handler=handle_stories,
    )
    app = service_app(title="RegAlerts classify")
    app.include_router(
        ops_router({"database": lambda: ping(engine), "broker": kafka_ready_check(settings.bootstrap_servers)})
    )
    app.include_router(make_router(classifier))
    return Service(
        name="classify", app=app, workers=[loop, stories], port=settings.http_port,
        on_shutdown=[producer.close, engine.dispose],
    )  # fmt: skip


def main() -> int:
    """Run the classify service with settings from the environment."""
    settings = ClassifySettings()
    configure_logging(settings.log_level, "classify")
    return run_service(build_service(settings), settings)
