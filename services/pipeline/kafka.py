"""The Kafka plumbing services import: producer, consumer loop, consumed message, DLQ error."""

from services.pipeline.consumer import ConsumerLoop, Handler, TooManyInvalidMessages
from services.pipeline.messages import InvalidMessage, Message
from services.pipeline.producer import event_headers, make_producer, send_event

__all__ = [
    "ConsumerLoop",
    "Handler",
    "InvalidMessage",
    "Message",
    "TooManyInvalidMessages",
    "event_headers",
    "make_producer",
    "send_event",
]
