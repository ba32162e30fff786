"""The dispatcher: hands a batch to its channel; a failing integration is logged and reported, never raised."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from services.notify.channels import Batch, Channel, Outcome
from services.notify.channels.http import Poster

log = logging.getLogger(__name__)


class Dispatcher:
    """Routes batches to the channel named by their target (webhook, slack, email)."""

    def __init__(self, channels: Mapping[str, Channel]) -> None:
        self._channels = dict(channels)

    async def send(self, batch: Batch) -> Outcome:
        """Send one batch; any error of the channel comes back as a failed Outcome."""
        target = batch.target
        channel = self._channels.get(target.channel)
        if channel is None:
            return Outcome(delivered=False, error=f"no channel {target.channel!r}")
        try:
            outcome = await channel.send(batch)
        except Exception as exc:
            log.exception(
                "Unable to deliver alert",
                extra={"subscription_id": target.subscription_id, "channel": target.channel, "error": repr(exc)},
            )
            return Outcome(delivered=False, error=f"internal error: {type(exc).__name__}")
        if not outcome.delivered:
            log.warning(
                "Unable to deliver alert",
                extra={
                    "subscription_id": target.subscription_id,
                    "channel": target.channel,
                    "alerts": len(batch.alerts),
                    "status_code": outcome.status_code,
                    "error": outcome.error,
                },
            )
        return outcome


# Builds the dispatcher on an HTTP client of the running event loop (the worker's, or a test request's).
DispatcherFactory = Callable[[Poster], Dispatcher]
