"""Feed → ingest → Kafka → classify → notify → signed webhook, with every service a real subprocess."""

from __future__ import annotations

import signal
import uuid
from collections import Counter
from typing import Any

import pytest

from services.pipeline.stages import passed
from services.pipeline.topics import DELIVERIES, ITEMS_CLASSIFIED
from tests.e2e.conftest import Pipeline, poll_now, register_feed, subscribe
from tests.e2e.peers import SEED_SUMMARY, SEED_TITLE, FeedServer, WebhookReceiver, rss, tencent_fine, wait_for
from tests.e2e.topics import headers_of

pytestmark = pytest.mark.e2e

OTHER_ITEM = {
    "guid": "sec-1",
    "title": "SEC charges investment adviser with fraud",
    "summary": "The Securities and Exchange Commission charged an adviser with defrauding clients.",
}


def test_seed_story_reaches_a_tencent_subscriber_exactly_once(pipeline: Pipeline, receiver: WebhookReceiver) -> None:
    run = uuid.uuid4().hex[:8]
    seed = {"guid": f"{run}-seed", "title": SEED_TITLE, "summary": SEED_SUMMARY}
    other = {**OTHER_ITEM, "guid": f"{run}-sec"}
    feed = FeedServer(rss([seed, other]))

    def ours() -> list[dict[str, Any]]:
        return [a["data"] for a in receiver.alerts if f"/{run}-" in a["data"]["item"]["link"]]

    try:
        subscribe(pipeline, receiver, {"companies": ["Tencent"]})
        feed_id = register_feed(pipeline, feed.feed_url)
        poll_now(pipeline, feed_id)
        wait_for(lambda: len(ours()) >= 1, 120, "the seed story's alert")

        alert = ours()[0]
        assert alert["item"]["title"] == SEED_TITLE
        assert alert["item"]["language"] == "fr"
        assert {"Tencent", "Alibaba"} <= {c["name"].split()[0] for c in alert["companies"]}
        assert "CAC" in {r["acronym"] for r in alert["regulators"]}
        assert "CN" in alert["jurisdictions"]
        assert "summons" in {a["type"] for a in alert["actions"]}
        _assert_stages_in_headers(pipeline, alert["item"]["id"])

        # Poll again (nothing new), then add one more Tencent item as a sentinel: once its alert
        # arrives, anything the second poll had sent would have arrived too.
        polls = feed.requests
        poll_now(pipeline, feed_id)
        wait_for(lambda: feed.requests > polls, 30, "the second poll")
        feed.document = rss([seed, other, tencent_fine(0, run)])
        poll_now(pipeline, feed_id)
        wait_for(lambda: any(a["item"]["link"].endswith(f"/{run}-0") for a in ours()), 120, "the sentinel alert")
        links = [a["item"]["link"] for a in ours()]
        assert len(links) == 2, f"expected the seed story once and the sentinel once, got {links}"
        assert receiver.refused == 0
    finally:
        feed.close()


def _assert_stages_in_headers(pipeline: Pipeline, item_id: str) -> None:
    """The classified event says when the item was seen, published, classified and grouped into its story; the
    delivery attempt when it was seen, classified, matched and delivered — in that order."""
    bootstrap = pipeline.env["REGALERTS_KAFKA_BOOTSTRAP_SERVERS"]
    classified = passed(headers_of(bootstrap, ITEMS_CLASSIFIED.name, item_id)[0])
    assert list(classified) == ["seen", "published", "classified", "grouped"]
    delivered = [passed(h) for h in headers_of(bootstrap, DELIVERIES.name, item_id)]
    assert [list(d) for d in delivered] == [["seen", "classified", "matched", "delivered"]]
    times = [*classified.values(), *list(delivered[0].values())[2:]]
    assert times == sorted(times) and delivered[0]["seen"] == classified["seen"]


def test_classify_killed_mid_flight_loses_nothing_and_duplicates_nothing(
    pipeline: Pipeline, receiver: WebhookReceiver
) -> None:
    count = 200
    prefix = f"kill-{uuid.uuid4().hex[:8]}"
    feed = FeedServer(rss([tencent_fine(n, prefix) for n in range(count)]))

    def ours() -> list[str]:
        return [link for link in receiver.links() if f"/{prefix}-" in link]

    try:
        subscribe(pipeline, receiver, {"companies": ["Tencent"]})
        feed_id = register_feed(pipeline, feed.feed_url)
        poll_now(pipeline, feed_id)
        wait_for(lambda: len(ours()) >= 1, 120, "the first alert")

        classify = pipeline.children["classify"]
        assert classify.process is not None
        classify.process.send_signal(signal.SIGKILL)
        classify.process.wait(timeout=10)
        classify.start()
        classify.wait_ready(timeout=60)

        wait_for(lambda: len(set(ours())) >= count, 180, f"all {count} alerts")
        duplicates = {k: v for k, v in Counter(ours()).items() if v > 1}
        assert not duplicates, f"delivered more than once: {duplicates}"
        assert len(ours()) == count
    finally:
        feed.close()
