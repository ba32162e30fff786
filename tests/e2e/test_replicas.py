"""Two replicas of ingest, classify and notify under a steady stream of items; one replica of each is killed
with SIGKILL mid-stream. The survivors take over: every item reaches its receiver exactly once and every
consumer group's lag returns to zero."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections import Counter

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.pipeline.topics import ITEMS_CLASSIFIED, ITEMS_RAW, ITEMS_TAGGED
from tests.e2e.conftest import Pipeline, register_feed, subscribe
from tests.e2e.peers import FeedServer, WebhookReceiver, rss, tencent_fine, wait_for

pytestmark = pytest.mark.e2e

FEEDS, ITEMS, PER_SECOND = 4, 120, 4.0
KILLED = ("ingest#2", "classify#2", "notify#2")
CONSUMERS = {  # consumer group setting -> topics its services consume
    "REGALERTS_CLASSIFY_CONSUMER_GROUP": ITEMS_RAW,
    "REGALERTS_STORIES_CONSUMER_GROUP": ITEMS_TAGGED,
    "REGALERTS_NOTIFY_CONSUMER_GROUP": ITEMS_CLASSIFIED,
}


class Stream:
    """Items appearing on ``FEEDS`` feeds at ``PER_SECOND``, round robin, each feed listing all of its own."""

    def __init__(self, prefix: str) -> None:
        self.feeds = [FeedServer(rss([])) for _ in range(FEEDS)]
        self.published = 0
        self._prefix = prefix
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        items: list[list[dict[str, str]]] = [[] for _ in self.feeds]
        start = time.monotonic()
        for n in range(ITEMS):
            time.sleep(max(0.0, start + n / PER_SECOND - time.monotonic()))
            feed = n % FEEDS
            items[feed].append(tencent_fine(n, self._prefix))
            self.feeds[feed].document = rss(items[feed])
            self.published = n + 1

    def close(self) -> None:
        self._thread.join(timeout=ITEMS / PER_SECOND + 10)
        for feed in self.feeds:
            feed.close()


def _samples(url: str, name: str) -> list[tuple[dict[str, str], float]]:
    """The samples of one metric a process exports."""
    families = text_string_to_metric_families(httpx.get(f"{url}/metrics", timeout=10).text)
    return [(sample.labels, sample.value) for family in families for sample in family.samples if sample.name == name]


def _lag(pipeline: Pipeline) -> dict[tuple[str, str, str], float]:
    """Every surviving consumer's regalerts_consumer_lag_messages, by (group, topic, partition)."""
    return {
        (labels["group"], labels["topic"], labels["partition"]): value
        for name, child in pipeline.children.items()
        if name not in KILLED and not name.startswith("ingest")
        for labels, value in _samples(child.url, "regalerts_consumer_lag_messages")
    }


def _busy(pipeline: Pipeline) -> bool:
    """Every replica to be killed has taken in items (it holds work that the survivors must take over)."""
    return all(sum(v for _, v in _samples(pipeline.url(name), "regalerts_items_in_total")) > 0 for name in KILLED)


def _caught_up(pipeline: Pipeline) -> bool:
    """Every partition of every consumed topic is reported by a survivor, with no lag."""
    lag = _lag(pipeline)
    wanted = {
        (pipeline.env[setting], topic.name, str(p))
        for setting, topic in CONSUMERS.items()
        for p in range(topic.partitions)
    }
    return wanted <= set(lag) and not any(lag[key] for key in wanted)


def test_one_replica_of_each_service_killed_mid_stream_loses_nothing_and_duplicates_nothing(
    replicated_stream_pipeline: Pipeline, receiver: WebhookReceiver
) -> None:
    pipeline = replicated_stream_pipeline
    prefix = f"rk-{uuid.uuid4().hex[:8]}"
    stream = Stream(prefix)

    def ours() -> list[str]:
        return [link for link in receiver.links() if f"/{prefix}-" in link]

    try:
        subscribe(pipeline, receiver, {"companies": ["Tencent"]})
        for feed in stream.feeds:
            register_feed(pipeline, feed.feed_url)
        stream.start()
        wait_for(lambda: len(set(ours())) >= ITEMS // 4, 120, "the first quarter of the alerts")
        wait_for(lambda: _busy(pipeline), 30, "work in every replica to be killed")
        assert stream.published < ITEMS, "the stream ended before the kill: nothing would be in flight"
        for name in KILLED:
            process = pipeline.children[name].process
            assert process is not None
            process.send_signal(signal.SIGKILL)
        for name in KILLED:
            process = pipeline.children[name].process
            assert process is not None
            process.wait(timeout=10)

        wait_for(lambda: len(set(ours())) >= ITEMS, 240, f"all {ITEMS} alerts")
        wait_for(lambda: _caught_up(pipeline), 60, "every consumer group's lag back to zero")
        time.sleep(3)  # anything delivered twice would arrive by now
        duplicates = {link: n for link, n in Counter(ours()).items() if n > 1}
        assert not duplicates, f"delivered more than once: {duplicates}"
        assert sorted(ours()) == sorted(f"https://news.example.org/{prefix}-{n}" for n in range(ITEMS))
    finally:
        stream.close()
