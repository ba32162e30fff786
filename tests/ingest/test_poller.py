"""Polling one feed into the store, on SQLite and PostgreSQL: backfill, dedupe, updates, status, backoff."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.health import state_of
from services.ingest.models import Item
from services.ingest.settings import IngestSettings
from services.ingest.store import mark_published, pending_items
from services.pipeline.db import utcnow
from services.pipeline.events import RawItem
from tests.ingest.conftest import PollRunner, Reply, Site, add_feed, feed, item, rss


def pending(sessions: sessionmaker[Session]) -> list[RawItem]:
    with sessions() as session:
        return [RawItem.model_validate(p) for _i, _r, p in pending_items(session, limit=10_000)]


def ack_all(sessions: sessionmaker[Session]) -> None:
    """What the publisher does once the broker acknowledged everything."""
    with sessions.begin() as session:
        rows = pending_items(session, limit=10_000)
        mark_published(session, acked=[(i, r) for i, r, _p in rows], now=utcnow())


def stored(sessions: sessionmaker[Session]) -> list[Item]:
    with sessions() as session:
        return list(session.scalars(select(Item)))


def test_first_poll_publishes_only_the_backfill_window(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    url = site.serve(
        "/f",
        Reply(
            200, rss([item(1, hours_ago=1), item(2, hours_ago=47), item(3, hours_ago=49), item(4, hours_ago=24 * 400)])
        ),
    )
    feed_id = add_feed(sessions, url)
    [outcome] = runner.poll(feed_id)
    assert outcome.outcome == "ok" and outcome.counts is not None
    assert (outcome.counts.new, outcome.counts.archived) == (2, 2)
    assert sorted(i.title for i in pending(sessions)) == ["Regulator fines company 1", "Regulator fines company 2"]
    status = feed(sessions, feed_id)
    assert status.items_seen == 4 and status.backfilled
    # After the first poll the window no longer applies: a new but old-dated item is published.
    site.serve("/f", Reply(200, rss([item(1, hours_ago=1), item(5, hours_ago=100)])))
    runner.poll(feed_id)
    assert "Regulator fines company 5" in {i.title for i in pending(sessions)}


def test_unchanged_feed_publishes_nothing_and_uses_conditional_get(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    document = rss([item(1), item(2)])

    def route(handler: Any) -> Reply:
        if handler.headers.get("If-None-Match") == '"abc"':
            return Reply(304, b"")
        return Reply(200, document, {"ETag": '"abc"'})

    url = site.serve("/f", route)
    feed_id = add_feed(sessions, url)
    runner.poll(feed_id)
    ack_all(sessions)
    [second] = runner.poll(feed_id)
    assert second.outcome == "not_modified"
    assert pending(sessions) == []
    site.serve("/f", Reply(200, document))  # no validators this time: the body is read again
    [third] = runner.poll(feed_id)
    assert third.outcome == "ok" and third.counts is not None
    assert (third.counts.unchanged, third.counts.to_publish) == (2, 0)
    assert pending(sessions) == []
    assert feed(sessions, feed_id).last_status_code == 200


def test_edited_item_is_an_update_with_the_same_id(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    url = site.serve("/f", Reply(200, rss([item(1)])))
    feed_id = add_feed(sessions, url)
    runner.poll(feed_id)
    [original] = pending(sessions)
    ack_all(sessions)
    site.serve("/f", Reply(200, rss([item(1, title="Regulator fines company 1 EUR 5m (corrected)")])))
    runner.poll(feed_id)
    [update] = pending(sessions)
    assert update.item_id == original.item_id
    assert update.is_update and update.revision == 2
    assert update.title.endswith("(corrected)")
    ack_all(sessions)
    site.serve("/f", Reply(200, rss([item(1, title="Third version")])))
    runner.poll(feed_id)
    assert [(i.revision, i.is_update) for i in pending(sessions)] == [(3, True)]


def test_edit_before_publication_replaces_the_pending_item(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    url = site.serve("/f", Reply(200, rss([item(1)])))
    feed_id = add_feed(sessions, url)
    runner.poll(feed_id)
    site.serve("/f", Reply(200, rss([item(1, summary="Edited before the broker saw it.")])))
    runner.poll(feed_id)
    [only] = pending(sessions)
    assert (only.revision, only.is_update, only.summary) == (1, False, "Edited before the broker saw it.")


def test_rewritten_guids_and_reordering_are_not_new_items(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    url = site.serve("/f", Reply(200, rss([item(1), item(2), item(3)])))
    feed_id = add_feed(sessions, url)
    runner.poll(feed_id)
    ack_all(sessions)
    rewritten = [item(3, guid="new-3"), item(1, guid="new-1"), item(2)]
    site.serve("/f", Reply(200, rss(rewritten)))
    [outcome] = runner.poll(feed_id)
    assert outcome.counts is not None and outcome.counts.to_publish == 0
    assert pending(sessions) == []
    assert len(stored(sessions)) == 3


def test_items_without_guid_or_date_get_stable_ids(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    items = [item(1, guid=None, hours_ago=None), item(2, guid=None, link=None, hours_ago=None)]
    url = site.serve("/f", Reply(200, rss(items)))
    feed_id = add_feed(sessions, url)
    before = utcnow()
    runner.poll(feed_id)
    first = pending(sessions)
    assert len(first) == 2
    assert all(i.published_at >= before - timedelta(seconds=1) for i in first)  # first-seen time
    assert {i.link for i in first} == {"https://news.example.org/1", None}
    ack_all(sessions)
    [again] = runner.poll(feed_id)
    assert again.counts is not None and again.counts.unchanged == 2
    assert pending(sessions) == []


def test_failing_feed_backs_off_is_flagged_and_recovers(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    url = site.serve("/f", Reply(500, b"oops"))
    feed_id = add_feed(sessions, url)
    assert state_of(feed(sessions, feed_id), failing_threshold=3) == "pending"
    delays, states = [], []
    for _ in range(4):
        [outcome] = runner.poll(feed_id)
        assert (outcome.outcome, outcome.reason) == ("error", "http_5xx")
        status = feed(sessions, feed_id)
        assert status.last_polled_at is not None
        delays.append((status.next_poll_at - status.last_polled_at).total_seconds())
        states.append(state_of(status, failing_threshold=3))
    assert status.consecutive_failures == 4 and status.last_error == "HTTP 500"
    assert states == ["error", "error", "failing", "failing"]  # the state says what the last poll did
    assert delays[-1] > delays[0] and max(delays) <= 86400
    site.serve("/f", Reply(200, rss([item(1)])))
    runner.poll(feed_id)
    status = feed(sessions, feed_id)
    assert status.consecutive_failures == 0
    assert state_of(status, failing_threshold=3) == "ok"
    assert status.last_error == "HTTP 500"  # kept for the operator, with its time
    assert len(pending(sessions)) == 1


def test_retry_after_and_cache_hints_set_the_next_poll(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    limited = add_feed(sessions, site.serve("/429", Reply(429, b"", {"Retry-After": "900"})))
    cached = add_feed(sessions, site.serve("/cached", Reply(200, rss([]), {"Cache-Control": "public, max-age=1800"})))
    ttl = add_feed(sessions, site.serve("/ttl", Reply(200, rss([], channel_extra="<ttl>120</ttl>"))))
    runner.poll(limited, cached, ttl)
    for feed_id, at_least in ((limited, 900), (cached, 1800), (ttl, 7200)):
        status = feed(sessions, feed_id)
        assert status.last_polled_at is not None
        assert (status.next_poll_at - status.last_polled_at).total_seconds() >= at_least


def test_sy_update_period_is_a_hint_too(site: Site, runner: PollRunner, sessions: sessionmaker[Session]) -> None:
    extra = "<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>"
    body = rss([]).replace(
        b'<rss version="2.0">', b'<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">'
    )
    feed_id = add_feed(
        sessions, site.serve("/sy", Reply(200, body.replace(b"</channel>", extra.encode() + b"</channel>")))
    )
    runner.poll(feed_id)
    status = feed(sessions, feed_id)
    assert status.last_polled_at is not None
    assert (status.next_poll_at - status.last_polled_at).total_seconds() == 6 * 3600


def test_the_interval_follows_the_feeds_publishing(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    items = [item(1, hours_ago=6), item(2, hours_ago=4), item(3, hours_ago=2)]
    path = "/every-2h"
    feed_id = add_feed(sessions, site.serve(path, Reply(200, rss(items))))
    runner.poll(feed_id)
    first = feed(sessions, feed_id)
    assert len(first.arrivals) == 3  # seeded from the items' dates
    assert first.last_polled_at is not None
    # every two hours: half the gap, at the ceiling (1 h), not the 60 s default of a feed without history
    assert (first.next_poll_at - first.last_polled_at).total_seconds() == 3600
    site.serve(path, Reply(200, rss([*items, item(4, hours_ago=0)])))
    runner.poll(feed_id)
    second = feed(sessions, feed_id)
    assert second.last_polled_at is not None
    assert second.arrivals[:3] == first.arrivals and second.arrivals[3] == second.last_polled_at.timestamp()
    runner.poll(feed_id)  # nothing new: no arrival
    assert feed(sessions, feed_id).arrivals == second.arrivals


def test_ill_formed_feed_yields_its_items_and_keeps_the_error(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    broken = rss([item(1), item(2)]).replace(b"</channel></rss>", b"<item><title>cut")
    feed_id = add_feed(sessions, site.serve("/f", Reply(200, broken)))
    [outcome] = runner.poll(feed_id)
    assert outcome.outcome == "ok"
    assert len(pending(sessions)) >= 2
    assert feed(sessions, feed_id).parse_warning


def test_non_utf8_feed_through_the_poller(site: Site, runner: PollRunner, sessions: sessionmaker[Session]) -> None:
    document = (
        '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>T</title>'
        "<item><guid>1</guid><title>L'Autorité sanctionne une société française</title>"
        "<description>Amende prononcée à l'encontre d'une société pour pratiques anticoncurrentielles."
        "</description></item></channel></rss>"
    ).encode("iso-8859-1")
    feed_id = add_feed(sessions, site.serve("/f", Reply(200, document, {"Content-Type": "application/rss+xml"})))
    runner.poll(feed_id)
    [raw] = pending(sessions)
    assert raw.title == "L'Autorité sanctionne une société française"
    assert raw.language is None  # nothing declares it: classify detects it


def test_unreadable_feeds_do_not_stop_the_others(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    good = add_feed(sessions, site.serve("/good", Reply(200, rss([item(1)]))))
    html = add_feed(sessions, site.serve("/html", Reply(200, b"<html><body>Not a feed</body></html>")))
    missing = add_feed(sessions, site.url("/missing"))
    outcomes = runner.poll(html, missing, good)
    assert [(o.outcome, o.reason) for o in outcomes] == [("error", "parse"), ("error", "http_4xx"), ("ok", "none")]
    assert [i.title for i in pending(sessions)] == ["Regulator fines company 1"]
    assert feed(sessions, html).last_error_reason == "parse"


def test_feed_hints_reach_the_item(site: Site, runner: PollRunner, sessions: sessionmaker[Session]) -> None:
    feed_id = add_feed(
        sessions,
        site.serve("/f", Reply(200, rss([item(1)], language=None))),
        language="de",
        regulator="de-bafin",
        jurisdiction="DE",
    )
    runner.poll(feed_id)
    [raw] = pending(sessions)
    assert (raw.language, raw.regulator_hint, raw.jurisdiction_hint) == ("de", "de-bafin", "DE")
    assert raw.feed_id == feed_id and raw.feed_url == site.url("/f")


def test_items_sharing_one_landing_page_link_stay_apart(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    home = "https://regulator.example.org/news"
    url = site.serve("/f", Reply(200, rss([item(1, link=home), item(2, link=home)])))
    feed_id = add_feed(sessions, url)
    runner.poll(feed_id)
    ack_all(sessions)
    site.serve("/f", Reply(200, rss([item(3, link=home), item(1, link=home), item(2, link=home)])))
    [outcome] = runner.poll(feed_id)
    assert outcome.counts is not None and (outcome.counts.new, outcome.counts.updated) == (1, 0)
    assert [i.title for i in pending(sessions)] == ["Regulator fines company 3"]


def test_a_document_that_takes_too_long_to_parse_does_not_hold_up_the_others(
    site: Site, settings: IngestSettings, sessions: sessionmaker[Session]
) -> None:
    slow = rss([item(n) for n in range(30_000)])  # 8 MB: seconds of parsing
    runner = PollRunner(
        settings.model_copy(update={"parse_processes": 1, "parse_timeout_s": 1.5, "max_body_bytes": 10 * 1024 * 1024}),
        sessions,
    )
    big = add_feed(sessions, site.serve("/big", Reply(200, slow)))
    small = add_feed(sessions, site.serve("/small", Reply(200, rss([item(1)]))))
    first, second = runner.poll(big, small, concurrency=1)
    assert (first.outcome, first.reason) == ("error", "parse")
    assert feed(sessions, big).last_error == "parsing took too long"
    assert second.outcome == "ok", (second, feed(sessions, small).last_error)  # parsed by a fresh worker process
    assert [i.title for i in pending(sessions)] == ["Regulator fines company 1"]


def test_every_format_through_the_poller(site: Site, runner: PollRunner, sessions: sessionmaker[Session]) -> None:
    now = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")  # inside the first poll's backfill window
    documents = {
        "rss091": (
            b'<rss version="0.91"><channel><title>T</title><item><title>From RSS 0.91</title>'
            b"<link>https://e.org/091</link></item></channel></rss>",
            "application/rss+xml",
        ),
        "rss10": (
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
            b'<channel rdf:about="https://e.org/"><title>T</title></channel><item rdf:about="https://e.org/10">'
            b"<title>From RSS 1.0</title><link>https://e.org/10</link></item></rdf:RDF>",
            "application/rdf+xml",
        ),
        "atom": (
            f'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:f</id><updated>{now}</updated>'
            f"<entry><id>urn:a</id><title>From Atom</title><updated>{now}</updated></entry></feed>".encode(),
            "application/atom+xml",
        ),
        "json": (
            (
                '{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [{"id": "j1", '
                f'"title": "From JSON Feed", "content_text": "x", "date_published": "{now}"}}]}}'
            ).encode(),
            "application/feed+json",
        ),
    }
    ids = [
        add_feed(sessions, site.serve(f"/{name}", Reply(200, body, {"Content-Type": kind})))
        for name, (body, kind) in documents.items()
    ]
    assert [o.outcome for o in runner.poll(*ids)] == ["ok"] * 4
    assert sorted(i.title for i in pending(sessions)) == [
        "From Atom",
        "From JSON Feed",
        "From RSS 0.91",
        "From RSS 1.0",
    ]


def test_a_json_feed_item_with_a_lone_surrogate_is_kept_and_the_repair_reported(
    site: Site, runner: PollRunner, sessions: sessionmaker[Session]
) -> None:
    document = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": ['
        b'{"id": "1", "title": "Regulator fines company 1", "content_text": "fine"},'
        b'{"id": "2", "title": "Regulator fines \\ud800 company 2", "content_text": "x \\udc00 y",'
        b' "tags": ["\\ud83d"]}]}'
    )
    feed_id = add_feed(sessions, site.serve("/j", Reply(200, document, {"Content-Type": "application/feed+json"})))
    [outcome] = runner.poll(feed_id)
    assert outcome.outcome == "ok"
    assert sorted(i.title for i in pending(sessions)) == [
        "Regulator fines company 1",
        "Regulator fines \ufffd company 2",
    ]
    status = feed(sessions, feed_id)
    assert status.items_seen == 2
    assert status.parse_warning == "3 strings held invalid code points (lone surrogates), replaced by U+FFFD"


def test_an_entry_that_cannot_be_normalised_is_named_in_the_warning() -> None:
    from services.ingest.normalise import FeedContext
    from services.ingest.parser import ParsedEntry, ParsedFeed
    from services.ingest.recorder import normalise_all

    entries = [
        ParsedEntry(guid="1", link=None, title_html="Fine", summary_html="", published=None),
        ParsedEntry(guid="2", link=None, title_html="Bad", summary_html="x \udc00 y", published=None),
    ]
    items, warning = normalise_all(ParsedFeed(entries), FeedContext("f", "http://127.0.0.1/f"))
    assert [i.title for i in items] == ["Fine"]
    assert warning is not None and warning.startswith("1 entries skipped, first: ")
    assert normalise_all(ParsedFeed(entries[:1]), FeedContext("f", "http://127.0.0.1/f"))[1] is None
