"""A feed's state, from its last poll: one definition for the API, the ``regalerts_feeds`` gauge and the logs."""

from __future__ import annotations

from typing import Literal

from services.ingest.models import Feed

FeedState = Literal["pending", "ok", "error", "failing", "disabled"]
FEED_STATES: tuple[FeedState, ...] = ("pending", "ok", "error", "failing", "disabled")


def feed_state(*, enabled: bool, polled: bool, failures: int, failing_threshold: int) -> FeedState:
    """``disabled``; ``pending`` before the first poll; ``ok`` when the last poll succeeded; ``error`` when it
    failed; ``failing`` once ``failing_threshold`` polls in a row have failed."""
    if not enabled:
        return "disabled"
    if failures >= failing_threshold:
        return "failing"
    if failures > 0:
        return "error"
    return "ok" if polled else "pending"


def state_of(feed: Feed, *, failing_threshold: int) -> FeedState:
    """The state of a stored feed."""
    return feed_state(
        enabled=feed.enabled,
        polled=feed.last_polled_at is not None,
        failures=feed.consecutive_failures,
        failing_threshold=failing_threshold,
    )
