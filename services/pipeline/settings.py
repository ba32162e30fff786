"""Settings shared by every service, read from ``REGALERTS_*`` environment variables.

Each service subclasses :class:`CommonSettings` with its own fields; settings are built once in the
service's ``main`` and passed down (constructor injection), never read at import time.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    """What all three services need: the broker, the database, the HTTP listener, logging, SSRF policy."""

    model_config = SettingsConfigDict(env_prefix="REGALERTS_", extra="ignore")

    kafka_bootstrap_servers: str = Field(
        default="",
        description="Comma-separated Kafka bootstrap servers. Empty: `regalerts up` starts an embedded broker "
        "(memory only) and gives its address to the services; a service run on its own (`regalerts ingest`, "
        "...) needs this set (`regalerts broker` runs the embedded broker alone and prints its address).",
    )
    kafka_client_id: str = Field(default="regalerts", description="Kafka client id prefix.")
    kafka_session_timeout_ms: int = Field(default=6000, ge=1000, description="Consumer group session timeout.")
    kafka_heartbeat_interval_ms: int = Field(default=2000, ge=100, description="Consumer heartbeat interval.")
    kafka_max_poll_records: int = Field(default=100, ge=1, description="Records fetched per consumer poll.")
    kafka_max_consecutive_invalid: int = Field(
        default=1000, ge=1, description="Consecutive messages sent to a DLQ before the consumer stops."
    )
    database_url: str = Field(
        default="sqlite:///var/regalerts.db", description="SQLAlchemy URL (SQLite file or postgresql+psycopg)."
    )
    http_host: str = Field(default="127.0.0.1", description="Address the service's HTTP API listens on.")
    log_level: str = Field(default="INFO", description="Log level (DEBUG, INFO, WARNING, ERROR).")
    ssrf_allow_cidrs: str = Field(
        default="",
        description="Comma-separated CIDRs that outbound fetches/posts may reach although private or loopback "
        "(e.g. 127.0.0.0/8 for local testing; `regalerts up --demo` sets that for its services). Empty: only "
        "public addresses.",
    )
    shutdown_timeout_s: float = Field(default=20.0, gt=0, description="Bound on graceful shutdown.")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return level

    @property
    def bootstrap_servers(self) -> list[str]:
        """The bootstrap servers as a list (empty when the embedded broker is to be used)."""
        return [s.strip() for s in self.kafka_bootstrap_servers.split(",") if s.strip()]
