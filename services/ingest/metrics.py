"""Prometheus metrics of the ingest service, each declared once here with what it counts.

Labels are bounded (outcome, reason, kind, state): per-feed detail lives in the API, never in labels.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from services.ingest.health import FEED_STATES

POLL_OUTCOMES = ("ok", "not_modified", "error")
POLL_REASONS = (
    "none",
    "timeout",
    "http_4xx",
    "http_5xx",
    "http_429",
    "too_large",
    "blocked",
    "dns",
    "parse",
    "connect",
    "internal",
    "redirects",
    "protocol",
)

# One per poll: outcome ok|not_modified|error; reason "none" unless error.
FEED_POLLS = Counter("regalerts_feed_polls_total", "Feed polls, by outcome and error reason.", ["outcome", "reason"])
# Wall time of one poll: request, redirects, body, parse and store.
POLL_DURATION = Histogram(
    "regalerts_feed_poll_duration_seconds",
    "Time one feed poll took, from request to stored items.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
# Items acknowledged by the broker: kind new (first publication) or update (title/summary changed).
ITEMS_PUBLISHED = Counter(
    "regalerts_ingest_items_published_total", "Items published on the raw topic, by kind.", ["kind"]
)
# Feeds per state (health.feed_state: pending, ok, error, failing, disabled), refreshed by the scheduler.
FEEDS = Gauge("regalerts_feeds", "Registered feeds, by state.", ["state"])
# Items stored but not yet acknowledged by the broker (the outbox).
PUBLISH_BACKLOG = Gauge(
    "regalerts_ingest_publish_backlog_items", "Items stored but not yet acknowledged by the broker."
)

WEBSUB_REQUEST_OUTCOMES = ("sent", "failed")
# WebSub subscription requests (new and renewals) sent to hubs: sent (2xx) or failed (refused, unreachable).
WEBSUB_REQUESTS = Counter(
    "regalerts_websub_requests_total", "WebSub subscription requests sent to hubs, by outcome.", ["outcome"]
)
WEBSUB_PUSH_OUTCOMES = ("stored", "bad_signature", "unparseable", "too_large", "gone")
# Content hubs pushed to a callback: stored, or ignored (bad_signature, unparseable, too_large, gone).
WEBSUB_PUSHES = Counter("regalerts_websub_pushes_total", "Content pushed by WebSub hubs, by outcome.", ["outcome"])


def initialise() -> None:
    """Create every label combination at zero so dashboards and alerts see them before the first event."""
    FEED_POLLS.labels(outcome="ok", reason="none")
    FEED_POLLS.labels(outcome="not_modified", reason="none")
    for reason in POLL_REASONS[1:]:
        FEED_POLLS.labels(outcome="error", reason=reason)
    for kind in ("new", "update"):
        ITEMS_PUBLISHED.labels(kind=kind)
    for state in FEED_STATES:
        FEEDS.labels(state=state)
    for outcome in WEBSUB_REQUEST_OUTCOMES:
        WEBSUB_REQUESTS.labels(outcome=outcome)
    for outcome in WEBSUB_PUSH_OUTCOMES:
        WEBSUB_PUSHES.labels(outcome=outcome)
