"""The read model's handlers: each classified item and each delivery attempt, recorded in the web store."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from services.pipeline.events import ClassifiedItem, DeliveryAttempt
from services.pipeline.messages import InvalidMessage, Message
from services.web.readmodel import record_attempt, record_item


class ReadModel:
    """Record what the topics carry; idempotent, so a redelivered message changes nothing."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def handle(self, message: Message) -> None:
        """Record a ClassifiedItem or a DeliveryAttempt; anything else can never be recorded."""
        payload = message.payload
        with self._sessions.begin() as session:
            if isinstance(payload, ClassifiedItem):
                record_item(session, payload)
            elif isinstance(payload, DeliveryAttempt):
                record_attempt(session, payload)
            else:
                raise InvalidMessage(f"the web read model does not record {type(payload).__name__}")
