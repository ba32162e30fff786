"""Settings of the notify service (``REGALERTS_*`` environment variables), built once in ``main``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from services.pipeline.settings import CommonSettings

# Roughly 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: about a day and a half before a delivery is dead.
DEFAULT_RETRY_SCHEDULE_S = [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0]


class NotifySettings(CommonSettings):
    """Everything the notify service reads: API port, delivery policy, SMTP, unsubscribe links."""

    http_port: int = Field(default=8703, ge=0, le=65535, description="Port of the notify HTTP API.")
    notify_admin_token: str = Field(
        default="",
        description="Bearer token required on every /v1/tenants call (the operators' tenant API); empty: that API "
        "refuses every call (503).",
    )
    notify_consumer_group: str = Field(
        default="regalerts-notify", description="Kafka consumer group reading classified items."
    )
    retry_schedule_s: list[float] = Field(
        default=DEFAULT_RETRY_SCHEDULE_S,
        description="Delay before each retry of a failed delivery, in seconds (JSON list); a delivery that "
        "has used every retry is marked dead.",
    )
    delivery_poll_interval_s: float = Field(
        default=1.0, gt=0, description="How often the delivery worker looks for due deliveries when idle."
    )
    delivery_batch_size: int = Field(default=200, ge=1, description="Due deliveries claimed from the store per round.")
    delivery_lease_s: float = Field(
        default=60.0,
        gt=0,
        description="How long a claimed delivery is reserved for one worker; after a crash it is claimed "
        "again once the lease has expired.",
    )
    delivery_timeout_s: float = Field(default=10.0, gt=0, description="Timeout of one webhook or Slack post.")
    delivery_concurrency: int = Field(default=64, ge=1, description="Deliveries in flight, all endpoints together.")
    endpoint_concurrency: int = Field(default=4, ge=1, description="Deliveries in flight to one endpoint.")
    breaker_failure_threshold: int = Field(
        default=5, ge=1, description="Consecutive failures that open an endpoint's circuit breaker."
    )
    breaker_cooldown_s: float = Field(
        default=30.0, gt=0, description="How long an open circuit breaker keeps an endpoint from being tried."
    )
    slack_min_interval_s: float = Field(
        default=1.0, ge=0, description="Minimum time between two messages to one Slack webhook."
    )
    slack_max_alerts_per_message: int = Field(
        default=10, ge=1, le=12, description="Alerts coalesced into one Slack message (Block Kit allows 50 blocks)."
    )
    secret_rotation_overlap_s: float = Field(
        default=86400.0,
        ge=0,
        description="After a webhook secret rotation, how long the previous secret keeps signing alongside.",
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server host.")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP server port.")
    smtp_tls: Literal["none", "starttls", "tls"] = Field(
        default="starttls", description="SMTP transport security: none, STARTTLS, or implicit TLS."
    )
    smtp_user: str = Field(default="", description="SMTP user name; empty: no authentication.")
    smtp_password: str = Field(default="", description="SMTP password (used with smtp_user).")
    smtp_from: str = Field(default="RegAlerts <alerts@localhost>", description="From address of alert emails.")
    smtp_timeout_s: float = Field(default=30.0, gt=0, description="Timeout of one SMTP conversation.")
    public_base_url: str = Field(
        default="http://127.0.0.1:8703",
        description="Public URL of the notify API, used to build one-click unsubscribe links in emails "
        "(`regalerts up` sets it to notify's URL on the port it uses, unless it is set).",
    )
    classify_url: str | None = Field(
        default=None,
        description="Base URL of the classify API, whose knowledge base the company and regulator names of "
        "subscription filters are checked against (a warning, never a refusal); unset: not checked.",
    )
    classify_timeout_s: float = Field(
        default=2.0,
        gt=0,
        description="Timeout of that check; when classify does not answer, the subscription "
        "is saved with a warning that its names were not checked.",
    )
    unsubscribe_secret: str = Field(
        default="",
        description="Key signing one-click unsubscribe tokens; empty: a random key is generated once and "
        "kept in the store.",
    )

    @field_validator("retry_schedule_s")
    @classmethod
    def _positive_delays(cls, value: list[float]) -> list[float]:
        if any(delay < 0 for delay in value):
            raise ValueError("retry delays must be >= 0")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> NotifySettings:
        longest = max(self.delivery_timeout_s, self.smtp_timeout_s)
        if self.delivery_lease_s < 2 * longest:
            raise ValueError(
                f"delivery_lease_s ({self.delivery_lease_s}) must be at least twice the longest send timeout "
                f"({longest}): a lease that expires during a send lets the delivery be sent twice"
            )
        return self
