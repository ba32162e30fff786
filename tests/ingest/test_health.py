"""A feed's state follows its last poll, and a failing feed logs when its state changes, not at every poll."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.health import feed_state
from tests.ingest.conftest import PollRunner, Reply, Site, add_feed, item, rss


def test_the_state_is_that_of_the_last_poll() -> None:
    def state(enabled: bool = True, polled: bool = True, failures: int = 0) -> str:
        return feed_state(enabled=enabled, polled=polled, failures=failures, failing_threshold=3)

    assert [state(polled=False), state(), state(failures=1), state(failures=2), state(failures=3)] == [
        "pending",
        "ok",
        "error",
        "error",
        "failing",
    ]
    assert state(enabled=False, failures=9) == "disabled"


def test_failed_polls_log_one_line_per_change_of_state(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    site.serve("/f", Reply(503, b"down"))
    feed_id = add_feed(sessions, site.url("/f"))
    caplog.set_level(logging.INFO, logger="services.ingest.recorder")
    for _ in range(6):  # threshold 3: error, error, failing, failing, failing, failing
        runner.poll(feed_id)
    site.serve("/f", Reply(200, rss([item(1)])))
    runner.poll(feed_id)
    runner.poll(feed_id)
    lines = [(r.getMessage(), getattr(r, "state", None)) for r in caplog.records if r.name.endswith("recorder")]
    assert lines == [("Feed poll failed", "error"), ("Feed is failing", "failing"), ("Feed recovered", "ok")]
    failed = next(r for r in caplog.records if r.getMessage() == "Feed poll failed")
    assert (failed.feed_id, failed.reason, failed.error, failed.previous_state) == (  # type: ignore[attr-defined]
        feed_id,
        "http_5xx",
        "HTTP 503",
        "pending",
    )
