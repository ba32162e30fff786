"""The notify service: consume classified items into the store, deliver from the store, serve the API."""

from __future__ import annotations

from kafka import KafkaProducer
from sqlalchemy import Engine

from services.notify import metrics
from services.notify.api.app import create_app
from services.notify.api.deps import NotifyContext
from services.notify.channels.email import EmailChannel
from services.notify.channels.http import Poster
from services.notify.channels.slack import SlackChannel
from services.notify.channels.webhook import WebhookChannel
from services.notify.dispatcher import Dispatcher
from services.notify.intake import Intake
from services.notify.settings import NotifySettings
from services.notify.store import stored_key
from services.notify.tokens import make_token
from services.notify.worker import DeliveryWorker, Publisher
from services.pipeline.db import make_engine, make_session_factory, ping
from services.pipeline.events import DeliveryAttempt, wrap
from services.pipeline.http import kafka_ready_check
from services.pipeline.kafka import ConsumerLoop, make_producer, send_event
from services.pipeline.logging import configure_logging
from services.pipeline.netguard import NetworkPolicy
from services.pipeline.runner import Service, run_service
from services.pipeline.topics import DELIVERIES, ITEMS_CLASSIFIED

EVENT_SOURCE = "regalerts/notify"


def build_context(settings: NotifySettings, engine: Engine) -> NotifyContext:
    """Sessions, SSRF policy, unsubscribe key and the channels, shared by the API and the worker."""
    sessions = make_session_factory(engine)
    key = settings.unsubscribe_secret
    if not key:
        with sessions.begin() as session:
            key = stored_key(session, name="unsubscribe")

    def unsubscribe_link(subscription_id: str, address: str) -> str:
        token = make_token(key, subscription_id=subscription_id, address=address)
        return f"{settings.public_base_url}/unsubscribe/{token}"

    def make_dispatcher(client: Poster) -> Dispatcher:
        return Dispatcher(
            {
                "webhook": WebhookChannel(client),
                "slack": SlackChannel(client),
                "email": EmailChannel(settings, unsubscribe_link),
            }
        )

    policy = NetworkPolicy(settings.ssrf_allow_cidrs)
    return NotifyContext(settings, sessions, policy, key, make_dispatcher)


def make_publisher(producer: KafkaProducer) -> Publisher:
    """Publish each recorded attempt on regalerts.deliveries.v1, keyed by item id, with its stage headers."""

    def publish(attempt: DeliveryAttempt, traceparent: str | None, stages: dict[str, str]) -> None:
        event = wrap(attempt, source=EVENT_SOURCE, subject=attempt.item_id, traceparent=traceparent)
        send_event(producer, DELIVERIES, attempt.item_id, event, headers=stages)

    return publish


def build_service(settings: NotifySettings) -> Service:
    """Wire the consumer (intake), the delivery worker and the HTTP API."""
    metrics.initialise()
    engine = make_engine(settings.database_url)
    context = build_context(settings, engine)
    producer = make_producer(settings, client_id="notify")
    worker = DeliveryWorker(
        settings=settings,
        session_factory=context.sessions,
        make_dispatcher=context.make_dispatcher,
        publish=make_publisher(producer),
    )
    intake = Intake(session_factory=context.sessions, on_new=worker.wake)
    consumer = ConsumerLoop(
        settings=settings,
        topic=ITEMS_CLASSIFIED,
        group_id=settings.notify_consumer_group,
        stage="notify",
        handler=intake.handle,
        producer=producer,
        batch_handler=intake.handle_batch,
    )
    checks = {"database": lambda: ping(engine), "broker": kafka_ready_check(settings.bootstrap_servers)}
    return Service(
        name="notify",
        app=create_app(context, checks),
        workers=[consumer, worker],
        port=settings.http_port,
        on_shutdown=[producer.close, engine.dispose],
    )


def main() -> int:
    """Run the notify service with settings from the environment."""
    settings = NotifySettings()
    configure_logging(settings.log_level, "notify")
    return run_service(build_service(settings), settings)
