"""Run the delivery worker alone (``python -m services.notify.deliver``): no broker, no API.

For a dedicated delivery process, or to drain the store while the rest is down. Stops on SIGTERM/SIGINT
after finishing in-flight sends; killed outright, its leased deliveries are claimed again after the lease.
"""

from __future__ import annotations

import signal
from types import FrameType

from services.notify import metrics
from services.notify.main import build_context
from services.notify.settings import NotifySettings
from services.notify.worker import DeliveryWorker
from services.pipeline.db import make_engine
from services.pipeline.logging import configure_logging


def main() -> int:
    """Deliver until a signal arrives."""
    settings = NotifySettings()
    configure_logging(settings.log_level, "notify")
    metrics.initialise()
    engine = make_engine(settings.database_url)
    context = build_context(settings, engine)
    worker = DeliveryWorker(
        settings=settings, session_factory=context.sessions, make_dispatcher=context.make_dispatcher
    )

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        worker.run()
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
