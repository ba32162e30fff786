"""Settings of the ingest service (``REGALERTS_*`` environment variables), built once in ``main``."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from pydantic import Field, model_validator

from services.pipeline.settings import CommonSettings

DEFAULT_USER_AGENT = "RegAlerts/0.1 (+https://regalerts.org/bot; regulatory feed reader)"


class IngestSettings(CommonSettings):
    """Everything the ingest service reads: API, polling policy, HTTP limits, dedupe and outbox."""

    http_port: int = Field(default=8701, ge=0, le=65535, description="Port of the ingest HTTP API.")
    admin_token: str = Field(
        default="",
        description="Bearer token required on every /v1/feeds call; empty: the feed API refuses every call (503).",
    )
    poll_interval_s: float = Field(
        default=300.0,
        gt=0,
        description="Interval between two polls of a feed with no publishing history yet (fewer than two arrivals).",
    )
    poll_interval_floor_s: float = Field(
        default=60.0, gt=0, description="Shortest interval a feed is ever polled at (also bounds ttl and caching)."
    )
    poll_interval_max_s: float = Field(
        default=3600.0,
        gt=0,
        description="Longest interval publishing history sets (a feed's ttl or Cache-Control may still stretch it).",
    )
    poll_gap_fraction: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="A feed with a history is polled at this fraction of the mean gap between its new items.",
    )
    poll_burst_window_s: float = Field(
        default=900.0,
        ge=0,
        description="A bursty feed is polled at the floor for this long after new items appear (0: never).",
    )
    poll_burst_share: float = Field(
        default=0.3,
        gt=0,
        le=1,
        description="Share of a feed's gaps between new items shorter than the burst window that makes it bursty.",
    )
    poll_jitter: float = Field(
        default=0.1, ge=0, le=0.5, description="Random spread of each interval, as a fraction of it (0.1 = ±10%)."
    )
    scheduler_tick_s: float = Field(default=1.0, gt=0, description="How often the scheduler looks for due feeds.")
    scheduler_batch: int = Field(default=500, ge=1, description="Due feeds taken from the store per tick.")
    replica_id: str = Field(
        default="",
        max_length=100,
        description="Names this ingest replica in the leases of the feeds it polls (empty: the host name); "
        "distinct per replica. A replica that starts again under the same id takes its predecessor's feeds "
        "back at once.",
    )
    lease_s: float = Field(
        default=30.0,
        ge=3,
        description="How long a claimed feed, or the outbox, stays with its replica unrenewed; a replica renews "
        "its leases every third of it, so a dead replica's feeds and outbox are taken over after at most this.",
    )
    global_concurrency: int = Field(default=64, ge=1, description="Polls in flight, all hosts together.")
    host_concurrency: int = Field(default=2, ge=1, description="Polls in flight to one host.")
    host_min_interval_s: float = Field(
        default=0.5, ge=0, description="Minimum time between the starts of two requests to one host."
    )
    parse_processes: int = Field(
        default=1,
        ge=0,
        description="Worker processes that parse and normalise fetched feeds (0: a thread of the service process).",
    )
    parse_timeout_s: float = Field(
        default=30.0, gt=0, description="Bound on parsing one feed; a parser that overruns it is replaced."
    )
    connect_timeout_s: float = Field(default=10.0, gt=0, description="Timeout to connect to a feed's server.")
    read_timeout_s: float = Field(default=20.0, gt=0, description="Timeout between two reads of a feed's body.")
    total_timeout_s: float = Field(default=60.0, gt=0, description="Bound on a whole poll, redirects included.")
    max_redirects: int = Field(default=5, ge=0, description="Redirects followed per poll.")
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="Largest feed body, enforced while streaming and after decompression.",
    )
    user_agent: str = Field(default=DEFAULT_USER_AGENT, description="User-Agent of every feed request.")
    backoff_base_s: float = Field(
        default=60.0, gt=0, description="Delay after the first failed poll; doubles per failure."
    )
    backoff_max_s: float = Field(
        default=86400.0, gt=0, description="Cap of the failure backoff (the feed is still polled)."
    )
    failing_threshold: int = Field(
        default=5, ge=1, description="Consecutive failed polls after which a feed is flagged failing."
    )
    backfill_window_s: float = Field(
        default=48 * 3600.0,
        ge=0,
        description="On a feed's first poll, only items published this recently are published.",
    )
    publish_batch: int = Field(default=500, ge=1, description="Stored items sent to the broker per round.")
    publish_idle_s: float = Field(
        default=1.0, gt=0, description="How often the publisher looks for stored items when idle."
    )
    publish_retry_s: float = Field(default=5.0, gt=0, description="Wait before retrying after the broker failed.")
    publish_timeout_s: float = Field(
        default=15.0, gt=0, description="How long to wait for the broker to acknowledge a round."
    )
    websub_callback_url: str = Field(
        default="",
        description="Public base URL of this ingest API as WebSub hubs reach it (https://ingest.example.org): feeds "
        "that name a hub are then subscribed to, with callbacks under /websub/; empty: WebSub off, polling only.",
    )
    websub_lease_s: int = Field(
        default=7 * 86400, ge=1, description="Lease asked of WebSub hubs; renewed at two thirds of the one granted."
    )
    websub_poll_interval_s: float = Field(
        default=3600.0,
        gt=0,
        description="Shortest interval of the fallback poll of a feed whose hub holds a verified subscription.",
    )
    republish_window_s: float = Field(
        default=3600.0,
        ge=0,
        description="After the broker failed and came back, items acknowledged this recently are published again "
        "(an in-memory broker loses them on restart; downstream idempotency drops the duplicates).",
    )
    republish_on_start: bool = Field(
        default=False,
        description="Publish the items of the republish window again at start (set by `regalerts up` when it "
        "restarts ingest after the embedded broker came back empty).",
    )

    @model_validator(mode="after")
    def _coherent(self) -> IngestSettings:
        self.replica_id = self.replica_id.strip() or socket.gethostname()
        if self.poll_interval_s < self.poll_interval_floor_s:
            raise ValueError("poll_interval_s must be >= poll_interval_floor_s")
        if self.poll_interval_max_s < self.poll_interval_s:
            raise ValueError("poll_interval_max_s must be >= poll_interval_s")
        callback = urlsplit(self.websub_callback_url)
        if self.websub_callback_url and (callback.scheme not in {"http", "https"} or not callback.hostname):
            raise ValueError("websub_callback_url must be an http(s) URL with a host, or empty")
        if self.backoff_max_s < self.backoff_base_s:
            raise ValueError("backoff_max_s must be >= backoff_base_s")
        return self
