"""The read model and the inbox query on SQLite and PostgreSQL: recording, search (French, Chinese),
filters, cursor paging, deliveries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from services.pipeline.events import DeliveryAttempt
from services.web.inbox import InboxFilters, decode_cursor, inbox_page
from services.web.models import DeliveryView, Item
from services.web.readmodel import record_attempt, record_item
from services.web.text import tag_token
from tests.web.conftest import CHINESE, ENGLISH, FRENCH, classified


def _ids(engine: Engine, tenant: str = "tn_acme", **filters: object) -> list[str]:
    with Session(engine) as session:
        page = inbox_page(session, tenant_id=tenant, filters=InboxFilters(**filters))  # type: ignore[arg-type]
        return [item.item_id for item in page.items]


def _load(engine: Engine, *items: object) -> None:
    with Session(engine) as session, session.begin():
        for item in items:
            record_item(session, item)  # type: ignore[arg-type]


def test_search_finds_french_and_chinese(web_engine: Engine) -> None:
    _load(web_engine, FRENCH, CHINESE, ENGLISH)
    assert _ids(web_engine, q="amende") == ["fr-1"]
    assert _ids(web_engine, q="Amendé") == ["fr-1"]  # accents and case folded
    assert _ids(web_engine, q="罚款") == ["zh-1"]
    assert _ids(web_engine, q="腾讯 罚款") == ["zh-1"]
    assert _ids(web_engine, q="罚") == ["zh-1"]  # one character: prefix of a pair
    assert _ids(web_engine, q="罚金") == []
    assert _ids(web_engine, q="disclos") == ["en-1"]  # prefix
    assert _ids(web_engine, q="Tencent") == ["zh-1"]  # tag names are searched too
    assert _ids(web_engine, q="amende google") == ["fr-1"]
    assert _ids(web_engine, q="amende tencent") == []


def test_filters_combine(web_engine: Engine) -> None:
    _load(web_engine, FRENCH, CHINESE, ENGLISH)
    assert sorted(_ids(web_engine, tags={"action": "fine"})) == ["en-1", "fr-1", "zh-1"]
    assert _ids(web_engine, tags={"jurisdiction": "CN", "action": "fine"}) == ["zh-1"]
    assert _ids(web_engine, tags={"company": "google", "language": "fr"}) == ["fr-1"]
    assert _ids(web_engine, tags={"regulator": "sec"}, q="acme") == ["en-1"]
    assert _ids(web_engine, tags={"regulator": "sec", "language": "fr"}) == []


def test_primary_only_keeps_items_where_the_action_is_primary(web_engine: Engine) -> None:
    secondary = classified(
        "x-1",
        "SEC warns about fines",
        regulators=[("sec", "SEC", "US", "SEC")],
        actions=[("warning", True, "warns"), ("fine", False, "fines")],
    )
    _load(web_engine, ENGLISH, secondary)
    assert sorted(_ids(web_engine, tags={"action": "fine"})) == ["en-1", "x-1"]
    assert _ids(web_engine, tags={"action": "fine"}, primary_only=True) == ["en-1"]


def test_date_range_is_read_in_the_members_days(web_engine: Engine) -> None:
    day = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    _load(web_engine, classified("late", "late news", published_at=day))
    assert _ids(web_engine, since=day.date(), until=day.date()) == ["late"]
    assert _ids(web_engine, since=day.date() + timedelta(days=1)) == []


def test_cursor_pages_through_everything_once(web_engine: Engine) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    same_time = [classified(f"same-{i}", f"item {i}", published_at=start) for i in range(3)]
    spread = [classified(f"item-{i}", f"item {i}", published_at=start + timedelta(minutes=i)) for i in range(7)]
    _load(web_engine, *same_time, *spread)
    seen: list[str] = []
    cursor = None
    with Session(web_engine) as session:
        while True:
            page = inbox_page(session, tenant_id="t", filters=InboxFilters(), cursor=cursor, limit=3)
            seen += [item.item_id for item in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert len(seen) == 10 and len(set(seen)) == 10
    assert seen[:7] == [f"item-{i}" for i in reversed(range(7))]
    assert decode_cursor("not-a-cursor") is None


def test_a_newer_revision_replaces_the_item_and_an_older_one_is_ignored(web_engine: Engine) -> None:
    first = classified("r-1", "SEC fines Acme", regulators=[("sec", "SEC", "US", "SEC")], revision=2)
    older = classified("r-1", "Old title", revision=1)
    newer = classified("r-1", "CNIL amende", regulators=[("cnil", "CNIL", "FR", "CNIL")], revision=3)
    _load(web_engine, first, older)
    assert _ids(web_engine, q="old") == []
    _load(web_engine, newer)
    assert _ids(web_engine, q="amende") == ["r-1"]
    assert _ids(web_engine, q="acme") == []
    assert _ids(web_engine, tags={"regulator": "sec"}) == []
    with Session(web_engine) as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 1
        assert session.scalars(select(Item.tag_tokens)).one() == " ".join(
            sorted(tag_token(k, v) for k, v in [("regulator", "cnil"), ("jurisdiction", "FR"), ("language", "en")])
        )


def _attempt(attempt: int, outcome: str, minute: int, tenant: str = "tn_acme") -> DeliveryAttempt:
    return DeliveryAttempt(
        delivery_id="dl-1",
        item_id="fr-1",
        subscription_id="sub-1",
        tenant_id=tenant,
        channel="webhook",
        attempt=attempt,
        outcome=outcome,  # type: ignore[arg-type]
        status_code=500 if outcome != "delivered" else 200,
        error="HTTP 500" if outcome != "delivered" else None,
        attempted_at=datetime(2026, 1, 1, 12, minute, tzinfo=UTC),
    )


def test_deliveries_keep_every_attempt_and_show_the_latest(web_engine: Engine) -> None:
    _load(web_engine, FRENCH, ENGLISH)
    with Session(web_engine) as session, session.begin():
        for attempt in (_attempt(2, "delivered", 5), _attempt(1, "retry_scheduled", 0), _attempt(2, "delivered", 5)):
            record_attempt(session, attempt)
    with Session(web_engine) as session:
        row = session.get(DeliveryView, "dl-1")
        assert row is not None and row.outcome == "delivered" and row.attempt == 2
        assert [entry["attempt"] for entry in row.history] == [1, 2]
    assert _ids(web_engine, matched_only=True) == ["fr-1"]
    assert _ids(web_engine, tenant="tn_globex", matched_only=True) == []
    with Session(web_engine) as session:
        page = inbox_page(session, tenant_id="tn_acme", filters=InboxFilters())
        assert page.matched == {"fr-1"}
        assert inbox_page(session, tenant_id="tn_globex", filters=InboxFilters()).matched == set()
