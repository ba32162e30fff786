"""A consumed Kafka message with its decoded envelope and payload, and the error that sends it to a DLQ."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from services.pipeline.events import CloudEvent


class InvalidMessage(Exception):
    """A message that can never be processed: it goes to the dead-letter topic instead of being retried."""


@dataclass(frozen=True)
class Message:
    """One consumed message."""

    topic: str
    partition: int
    offset: int
    key: str | None
    headers: dict[str, str]
    event: CloudEvent
    payload: BaseModel
