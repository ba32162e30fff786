"""One event, one alert: a subscription is alerted once per story, later reports attach (or arrive as
story updates when asked for), alerts explain themselves, and a minimum amount filters — on SQLite and
PostgreSQL, through the intake and the delivery worker to a real HTTP receiver."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from services.pipeline.events import AmountTag, ClassifiedItem, Story, StoryReport
from tests.notify.conftest import Receiver, Running, make_item, wait_for

START = datetime(2026, 12, 7, 10, tzinfo=UTC)
FEEDS = [("Reuters", "en"), ("ANSA", "it"), ("Le Monde", "fr")]


def reported(
    n: int, story_id: str = "st_one", *, amount: tuple[str, str] | None = ("1128000000", "EUR")
) -> ClassifiedItem:
    """The n-th report of a story (its story lists the reports 0..n), tagged with an amount."""
    item = make_item(f"feed:{story_id}:{n}", title=f"AGCM fines Acme Corp, report {n}")
    reports = [
        StoryReport(
            item_id=f"feed:{story_id}:{k}", feed=FEEDS[k][0], language=FEEDS[k][1], title=f"report {k}",
            link=f"https://example.org/{k}", published_at=START + timedelta(minutes=3 * k),
        )
        for k in range(n + 1)
    ]  # fmt: skip
    tags = item.tags.model_copy(
        update={
            "amount": AmountTag(
                value=Decimal(amount[0]), currency=amount[1],
                evidence={"text": "1,128 miliardi di euro", "field": "title", "start": 0, "end": 22},
            ) if amount else None,
        }
    )  # fmt: skip
    raw = item.item.model_copy(update={"feed_title": FEEDS[n][0]})
    return item.model_copy(
        update={"item": raw, "tags": tags, "story": Story(id=story_id, first=reports[0], reports=reports)}
    )


def _hook(running: Running, receiver: Receiver, tenant: str, path: str, **fields: object) -> str:
    sub_id, secret = running.subscribe(tenant, {"type": "webhook", "url": receiver.url + path}, **fields)
    assert secret is not None
    receiver.secrets[path] = secret
    return sub_id


def test_one_alert_per_story_and_updates_when_asked(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(engine)
    tenant = running.tenant()
    quiet = _hook(running, receiver, tenant, "/quiet", filters={"companies": ["Acme Corp"]})
    _hook(running, receiver, tenant, "/loud", filters={"companies": ["Acme Corp"]}, story_updates="notify")
    for n in range(3):
        running.intake.ingest(reported(n))
    running.intake.ingest(reported(0))  # the broker redelivers the first report
    running.intake.ingest(reported(0, "st_other"))  # a near miss: another story
    wait_for(lambda: len(receiver.on("/quiet")) == 2 and len(receiver.on("/loud")) == 4, "the alerts")
    quiet_bodies = [r.json() for r in receiver.on("/quiet")]
    assert sorted(b["data"]["story"]["id"] for b in quiet_bodies) == ["st_one", "st_other"]
    assert {b["type"] for b in quiet_bodies} == {"alert.created"}
    loud = sorted((r.json() for r in receiver.on("/loud")), key=lambda b: b["data"]["item"]["id"])
    kinds = [(b["data"]["item"]["id"], b["type"]) for b in loud]
    assert kinds == [
        ("feed:st_one:0", "alert.created"), ("feed:st_one:1", "alert.story_update"),
        ("feed:st_one:2", "alert.story_update"), ("feed:st_other:0", "alert.created"),
    ]  # fmt: skip
    last = loud[2]["data"]
    assert last["story"]["sources"] == 3 and [r["feed"] for r in last["story"]["reports"]] == [
        "Reuters",
        "ANSA",
        "Le Monde",
    ]
    first = next(b["data"] for b in quiet_bodies if b["data"]["story"]["id"] == "st_one")
    assert first["subscription"] == {"id": quiet, "name": "test"}
    assert first["item"]["feed_title"] == "Reuters" and first["item"]["published_at"]
    assert first["gist"] == "SEC (US) fined Acme Corp — EUR 1.128bn"
    assert first["matched"] == [{"filter": "companies", "value": "Acme Corp", "evidence": []}]
    assert first["amount"]["value"] == 1128000000 and first["amount"]["currency"] == "EUR"


def test_a_minimum_amount_matches_only_its_currency(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(engine)
    tenant = running.tenant()
    _hook(running, receiver, tenant, "/big", filters={"min_amount": {"value": "100000000", "currency": "EUR"}})
    assert running.intake.ingest(reported(0, "st_eur")) == 1
    assert running.intake.ingest(reported(0, "st_small", amount=("5000000", "EUR"))) == 0
    assert running.intake.ingest(reported(0, "st_usd", amount=("2000000000", "USD"))) == 0
    assert running.intake.ingest(reported(0, "st_none", amount=None)) == 0
    wait_for(lambda: len(receiver.on("/big")) == 1, "the alert")
    matched = receiver.on("/big")[0].json()["data"]["matched"]
    assert matched == [{"filter": "min_amount", "value": "1128000000 EUR", "evidence": ["1,128 miliardi di euro"]}]


def test_a_polls_reports_stored_together_alert_as_one_after_another(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(engine)
    tenant = running.tenant()
    _hook(running, receiver, tenant, "/quiet", filters={"companies": ["Acme Corp"]})
    _hook(running, receiver, tenant, "/loud", filters={"companies": ["Acme Corp"]}, story_updates="notify")
    batch = [reported(0), reported(1), reported(0), reported(2), reported(0, "st_other")]  # one redelivered
    assert running.intake.ingest_all([(item, None) for item in batch]) == 6
    wait_for(lambda: len(receiver.on("/quiet")) == 2 and len(receiver.on("/loud")) == 4, "the alerts")
    quiet = sorted((r.json()["data"]["item"]["id"], r.json()["type"]) for r in receiver.on("/quiet"))
    assert quiet == [("feed:st_one:0", "alert.created"), ("feed:st_other:0", "alert.created")]
    loud = sorted((r.json()["data"]["item"]["id"], r.json()["type"]) for r in receiver.on("/loud"))
    assert loud == [
        ("feed:st_one:0", "alert.created"), ("feed:st_one:1", "alert.story_update"),
        ("feed:st_one:2", "alert.story_update"), ("feed:st_other:0", "alert.created"),
    ]  # fmt: skip
    assert running.intake.ingest_all([(item, None) for item in batch]) == 0  # the whole poll redelivered
