"""Notify settings refuse combinations that would break delivery guarantees, with a clear message."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.notify.settings import NotifySettings


def test_lease_must_outlast_a_send() -> None:
    with pytest.raises(ValidationError, match="at least twice the longest send timeout"):
        NotifySettings(delivery_lease_s=10, delivery_timeout_s=10)
    assert NotifySettings(delivery_lease_s=60, delivery_timeout_s=10, smtp_timeout_s=30).delivery_lease_s == 60


def test_retry_delays_are_not_negative_and_urls_lose_their_slash() -> None:
    with pytest.raises(ValidationError, match="retry delays must be >= 0"):
        NotifySettings(retry_schedule_s=[5, -1])
    assert NotifySettings(public_base_url="https://alerts.example.com/").public_base_url == "https://alerts.example.com"
