"""Settings of the classify service."""

from __future__ import annotations

from pydantic import Field

from services.pipeline.settings import CommonSettings


class ClassifySettings(CommonSettings):
    """The classify service: consumes raw items, produces classified items."""

    http_port: int = Field(default=8702, ge=0, le=65535, description="Port of the classify service's HTTP API.")
    classify_consumer_group: str = Field(
        default="regalerts-classify", description="Kafka consumer group of the classify replicas."
    )
    stories_consumer_group: str = Field(
        default="regalerts-stories",
        description="Kafka consumer group of the story stage (one member at a time holds its single partition).",
    )
