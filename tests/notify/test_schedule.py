"""Digest periods in local time (DST included) and the retry schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.notify.schedule import next_digest_at, next_retry_at


def test_daily_digest_at_local_hour() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # 13:00 in Paris
    assert next_digest_at(now, frequency="daily", hour=8, timezone="Europe/Paris") == datetime(
        2026, 3, 11, 7, tzinfo=UTC
    )
    assert next_digest_at(now, frequency="daily", hour=18, timezone="Europe/Paris") == datetime(
        2026, 3, 10, 17, tzinfo=UTC
    )


def test_daily_digest_keeps_local_hour_across_dst() -> None:
    before_change = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)  # Paris switches to CEST on 29 March
    due = next_digest_at(before_change, frequency="daily", hour=8, timezone="Europe/Paris")
    assert due == datetime(2026, 3, 29, 6, tzinfo=UTC)  # 08:00 CEST


def test_hourly_digest_next_full_local_hour() -> None:
    now = datetime(2026, 1, 1, 10, 20, tzinfo=UTC)
    assert next_digest_at(now, frequency="hourly", hour=0, timezone="UTC") == datetime(2026, 1, 1, 11, tzinfo=UTC)
    kolkata = next_digest_at(now, frequency="hourly", hour=0, timezone="Asia/Kolkata")  # UTC+5:30
    assert kolkata == datetime(2026, 1, 1, 10, 30, tzinfo=UTC)


def test_retry_schedule_then_dead() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    schedule = [5.0, 300.0]
    assert next_retry_at(now, attempts=1, schedule=schedule, retry_after_s=None) == now + timedelta(seconds=5)
    assert next_retry_at(now, attempts=2, schedule=schedule, retry_after_s=None) == now + timedelta(seconds=300)
    assert next_retry_at(now, attempts=3, schedule=schedule, retry_after_s=None) is None


def test_retry_after_pushes_later_never_earlier() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert next_retry_at(now, attempts=1, schedule=[5.0], retry_after_s=60) == now + timedelta(seconds=60)
    assert next_retry_at(now, attempts=1, schedule=[5.0], retry_after_s=1) == now + timedelta(seconds=5)
