"""JSON-lines logging with the item id and trace id of the work in progress.

Messages are fixed strings; details travel as fields (``extra={...}``), e.g.
``log.warning("Unable to fetch feed", extra={"feed_id": feed.id, "error": str(exc)})``.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

_context: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("regalerts_log_context", default=None)

# Attributes every LogRecord has; anything else on a record came from ``extra`` and is logged as a field.
_RESERVED = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}


@contextlib.contextmanager
def bind(**fields: str | None) -> Iterator[None]:
    """Attach fields (item_id, trace_id, ...) to every log line written inside the block."""
    current = {**(_context.get() or {}), **{k: v for k, v in fields.items() if v is not None}}
    token = _context.set(current)
    try:
        yield
    finally:
        _context.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, service, logger, message, bound context and extra fields."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            **(_context.get() or {}),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


NOISY_LOGGERS = ("kafka", "httpx", "httpcore", "uvicorn.access", "aiosmtpd", "mail.log")


class StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted, never to a stream that was replaced
    (and perhaps closed) since logging was configured."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = sys.stderr
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:  # logging must not raise: handleError reports it
            self.handleError(record)


def configure_logging(level: str, service: str) -> None:
    """Send JSON lines to stderr at ``level``; quiet the chatty client libraries.

    Replaces the root logger's handlers, so configuring again (another command in the same process) leaves one.
    """
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
