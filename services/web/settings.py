"""Settings of the web service (``REGALERTS_*`` environment variables), built once in ``main``."""

from __future__ import annotations

from pydantic import Field, field_validator

from services.pipeline.settings import CommonSettings


class WebSettings(CommonSettings):
    """Everything the web service reads: its port, the APIs it acts through, sign-in email."""

    http_port: int = Field(default=8704, ge=0, le=65535, description="Port of the web app.")
    web_consumer_group: str = Field(
        default="regalerts-web",
        description="Kafka consumer group of the web app's read model (deliveries use this name + '-deliveries').",
    )
    web_public_url: str = Field(
        default="http://127.0.0.1:8704", description="Public URL of the web app, used in sign-in links."
    )
    web_notify_url: str = Field(
        default="http://127.0.0.1:8703", description="Base URL of the notify API the web app acts through."
    )
    web_classify_url: str = Field(
        default="http://127.0.0.1:8702", description="Base URL of the classify API (entity look-up)."
    )
    web_ingest_url: str = Field(
        default="http://127.0.0.1:8701", description="Base URL of the ingest API (the operators' feed pages)."
    )
    web_ingest_admin_token: str = Field(
        default="",
        description="ingest's admin token, used by the operators' feed pages; empty: those pages say feeds are "
        "not managed here.",
    )
    web_notify_admin_token: str = Field(
        default="",
        description="notify's admin token (REGALERTS_NOTIFY_ADMIN_TOKEN), used by the operators' tenant page; "
        "empty: that page says tenants are not managed here.",
    )
    web_smtp_host: str = Field(
        default="", description="SMTP server sending sign-in links; empty: the link is written to the log."
    )
    web_smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP port of the sign-in mail server.")
    web_smtp_from: str = Field(default="RegAlerts <signin@localhost>", description="From address of sign-in emails.")
    web_signin_link_ttl_s: float = Field(default=900.0, gt=0, description="How long a sign-in link stays valid.")
    web_session_ttl_s: float = Field(
        default=14 * 86400.0, gt=0, description="How long a session lasts without being used."
    )

    @field_validator("web_public_url", "web_notify_url", "web_classify_url", "web_ingest_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")
