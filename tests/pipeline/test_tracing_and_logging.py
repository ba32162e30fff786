"""Trace context helpers and JSON log lines carrying item and trace ids."""

from __future__ import annotations

import contextlib
import io
import json
import logging

from services.pipeline.logging import JsonFormatter, bind, configure_logging
from services.pipeline.tracing import child_traceparent, new_traceparent, trace_id_of
from tests.conftest import logging_kept


def test_child_keeps_the_trace_and_changes_the_span() -> None:
    parent = new_traceparent()
    child = child_traceparent(parent)
    assert trace_id_of(child) == trace_id_of(parent)
    assert child != parent
    assert trace_id_of("garbage") is None
    assert trace_id_of(child_traceparent("garbage")) is not None


def test_log_lines_are_json_with_bound_ids_and_extra_fields() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("classify"))
    logger = logging.getLogger("test.json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    with bind(item_id="item-1", trace_id="abc"):
        logger.info("Item classified", extra={"companies": 2})
    logger.info("Outside")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "Item classified"
    assert (first["item_id"], first["trace_id"], first["companies"], first["service"]) == (
        "item-1",
        "abc",
        2,
        "classify",
    )
    assert "item_id" not in second


def test_configured_logging_follows_stderr_when_it_is_replaced() -> None:
    first, second = io.StringIO(), io.StringIO()
    with logging_kept():
        with contextlib.redirect_stderr(first):
            configure_logging("INFO", "cli")
            configure_logging("INFO", "cli")  # a second command in the same process: still one handler
        first.close()
        with contextlib.redirect_stderr(second):
            logging.getLogger("test.stderr").warning("Feed skipped", extra={"feed_id": "f1"})
    [line] = second.getvalue().splitlines()
    assert (json.loads(line)["message"], json.loads(line)["feed_id"]) == ("Feed skipped", "f1")
