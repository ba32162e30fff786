"""The language of an item is decided once: ingest passes on what the feed declares, classify detects the rest."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import Pipeline, poll_now, register_feed, subscribe
from tests.e2e.peers import FeedServer, WebhookReceiver, rss, wait_for

pytestmark = pytest.mark.e2e


def test_undeclared_languages_reach_notify_as_classify_detects_them(pipeline: Pipeline) -> None:
    """A feed with no language anywhere (no <language>, no xml:lang, no Content-Language header): py3langid in
    ingest used to call these headlines ``nn`` and ``eo``, and classify took that as declared."""
    run = uuid.uuid4().hex[:8]
    english = {"guid": f"{run}-en", "title": "SEC fines Tesla over Autopilot claims", "summary": ""}
    spanish = {"guid": f"{run}-es", "title": "La CNMV multa a Banco Santander", "summary": ""}
    feed = FeedServer(rss([english, spanish]))
    receivers = {"en": WebhookReceiver(), "es": WebhookReceiver()}

    def ours(language: str) -> dict[str, str]:
        """Link -> language tag of this run's alerts delivered to the subscription on ``language``."""
        with receivers[language].lock:
            alerts = [a["data"]["item"] for a in receivers[language].alerts if a["type"] != "alert.test"]
        return {item["link"]: item["language"] for item in alerts if f"/{run}-" in item["link"]}

    try:
        for language, receiver in receivers.items():
            subscribe(pipeline, receiver, {"languages": [language]})
        poll_now(pipeline, register_feed(pipeline, feed.feed_url))
        wait_for(lambda: ours("en") and ours("es"), 120, "an alert on each language subscription")
        assert ours("en") == {f"https://news.example.org/{run}-en": "en"}
        assert ours("es") == {f"https://news.example.org/{run}-es": "es"}
    finally:
        feed.close()
        for receiver in receivers.values():
            receiver.close()
