"""When deliveries are due: digest periods in a subscriber's time zone, and the retry schedule (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


def next_digest_at(now: datetime, *, frequency: str, hour: int, timezone: str) -> datetime:
    """The end of the digest period containing ``now``, in UTC.

    Hourly digests go out at the next full hour of the local clock (zones with half-hour offsets
    included); daily ones at the next ``hour``:00 local time, strictly after ``now``.
    """
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    if frequency == "hourly":
        top = local.replace(minute=0, second=0, microsecond=0)
        return (top.astimezone(UTC) + timedelta(hours=1)).astimezone(UTC)
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate.astimezone(UTC) <= now.astimezone(UTC):
        # Step a calendar day in local time, so a DST change keeps the digest at the same local hour.
        next_day = (local + timedelta(days=1)).date()
        candidate = datetime(next_day.year, next_day.month, next_day.day, hour, tzinfo=zone)
    return candidate.astimezone(UTC)


def next_retry_at(
    now: datetime, *, attempts: int, schedule: list[float], retry_after_s: float | None
) -> datetime | None:
    """When to try again after ``attempts`` failed attempts, or None when every retry is used (dead).

    A Retry-After from the endpoint pushes the retry later, never earlier.
    """
    if attempts > len(schedule):
        return None
    delay = max(schedule[attempts - 1], retry_after_s or 0.0)
    return now + timedelta(seconds=delay)
