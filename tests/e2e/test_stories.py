"""One event, one alert, end to end: three feeds in two languages report one fine minutes apart, through
ingest, two classify and two notify replicas (real subprocesses) to signed webhooks."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Pipeline, create_tenant, poll_now, register_feed
from tests.e2e.peers import FeedServer, WebhookReceiver, rss, wait_for

pytestmark = pytest.mark.e2e

EVENT = [  # (feed title, minutes ago, title, summary): one decision, three feeds, English and Italian
    ("Reuters", 6, "Italy's antitrust authority fines Amazon 1.13 billion euros over logistics",
     "The Italian Competition Authority (AGCM) fined Amazon 1.128 billion euros for abusing its dominant position."),
    ("ANSA", 3, "L'Antitrust multa Amazon per 1,128 miliardi di euro",
     "L'Autorità Garante della Concorrenza e del Mercato ha sanzionato Amazon per abuso di posizione dominante."),
    ("ANSA English", 0, "Amazon to appeal Italian antitrust fine of 1.128 billion euros",
     "Amazon said it would appeal the AGCM's fine, calling it unjustified and disproportionate."),
]  # fmt: skip
NEAR_MISS = (  # the same company, another regulator, the same hour
    "French privacy watchdog fines Amazon warehouse unit 32 million euros",
    "The CNIL fined Amazon France Logistique 32 million euros over its monitoring of warehouse employees.",
)


def _subscribe(pipeline: Pipeline, receiver: WebhookReceiver, filters: dict[str, Any], **fields: Any) -> str:
    response = httpx.post(
        f"{pipeline.url('notify')}/v1/subscriptions",
        json={
            "name": f"e2e {filters}", "filters": filters, **fields,
            "channel": {"type": "webhook", "url": receiver.hook_url, "format": "json"},
        },
        headers={"Authorization": f"Bearer {create_tenant(pipeline)}"},
        timeout=10,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    receiver.secret = response.json()["secret"]
    return str(response.json()["id"])


def _alerts(receiver: WebhookReceiver, run: str) -> list[dict[str, Any]]:
    with receiver.lock:
        return [a for a in receiver.alerts if f"/{run}-" in (a["data"]["item"]["link"] or "")]


def test_one_event_from_three_feeds_is_one_alert_per_subscription(replicated_pipeline: Pipeline) -> None:
    pipeline, run = replicated_pipeline, uuid.uuid4().hex[:8]
    feeds = [
        FeedServer(rss([{"guid": f"{run}-{n}", "title": t, "summary": s, "hours_ago": str(m / 60)}], title=name))
        for n, (name, m, t, s) in enumerate(EVENT)
    ]
    feeds[0].document = rss(
        [
            {"guid": f"{run}-0", "title": EVENT[0][2], "summary": EVENT[0][3], "hours_ago": "0.1"},
            {"guid": f"{run}-near", "title": NEAR_MISS[0], "summary": NEAR_MISS[1], "hours_ago": "0.08"},
        ],
        title="Reuters",
    )
    quiet, loud, agcm = WebhookReceiver(), WebhookReceiver(), WebhookReceiver()
    try:
        _subscribe(pipeline, quiet, {"companies": ["Amazon"]})
        _subscribe(pipeline, loud, {"companies": ["Amazon"]}, story_updates="notify")
        _subscribe(pipeline, agcm, {"regulators": ["AGCM"], "min_amount": {"value": "1000000000", "currency": "EUR"}})
        for feed_id in [register_feed(pipeline, feed.feed_url) for feed in feeds]:
            poll_now(pipeline, feed_id)
        wait_for(lambda: len(_alerts(loud, run)) >= 4, 180, "the alerts and story updates")
        wait_for(lambda: len(_alerts(quiet, run)) >= 2 and len(_alerts(agcm, run)) >= 1, 60, "the other alerts")
        time.sleep(5)  # anything more would be a duplicate: give it time to show
        event_link = {f"https://news.example.org/{run}-{n}" for n in range(3)}

        quiet_alerts, agcm_alerts = _alerts(quiet, run), _alerts(agcm, run)
        assert sorted(a["type"] for a in quiet_alerts) == ["alert.created", "alert.created"]
        event = [a["data"] for a in quiet_alerts if a["data"]["item"]["link"] in event_link]
        near = [a["data"] for a in quiet_alerts if a["data"]["item"]["link"].endswith(f"/{run}-near")]
        assert len(event) == 1 and len(near) == 1 and event[0]["story"]["id"] != near[0]["story"]["id"]
        assert [a["data"]["story"]["id"] for a in agcm_alerts] == [event[0]["story"]["id"]]

        loud_alerts = _alerts(loud, run)
        of_event = [a for a in loud_alerts if a["data"]["item"]["link"] in event_link]
        assert sorted(a["type"] for a in of_event) == ["alert.created", "alert.story_update", "alert.story_update"]
        assert {a["data"]["story"]["id"] for a in of_event} == {event[0]["story"]["id"]}
        whole = max((a["data"]["story"] for a in of_event), key=lambda story: story["sources"])
        assert whole["sources"] == 3 and {r["feed"] for r in whole["reports"]} == {"Reuters", "ANSA", "ANSA English"}
        assert {r["language"] for r in whole["reports"]} == {"en", "it"}
        assert whole["first"]["feed"] == "Reuters"
        assert event[0]["gist"].startswith("AGCM (Italy) fined Amazon") and event[0]["amount"]["currency"] == "EUR"
        assert quiet.refused == loud.refused == agcm.refused == 0
    finally:
        for server in (*feeds, quiet, loud, agcm):
            server.close()
