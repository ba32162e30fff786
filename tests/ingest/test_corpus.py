"""Every document of the feedparser corpus, served over HTTP to the poller: nothing crashes it, no markup leaks.

The documents are hostile and odd on purpose (ill-formed XML, bogus encodings, script and style in every
place feedparser's sanitiser knows of). Each is served with the HTTP headers its comment names.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.models import Item
from services.ingest.text import clean_html
from services.pipeline.db import Base, make_engine, make_session_factory
from services.pipeline.events import RawItem, encode, wrap
from tests.conftest import shared_path
from tests.ingest.conftest import PollRunner, Reply, Site, add_feed, make_settings

_HEADER = re.compile(rb"^Header:\s*([A-Za-z-]+):\s*(.*?)\s*$", re.MULTILINE)
_TAG = re.compile(r"<\s*[a-zA-Z!/?]")
_DANGER = re.compile(r"<script|<style|<iframe|<object|<embed|javascript:|vbscript:|\son\w+\s*=", re.IGNORECASE)


def _headers(document: bytes) -> dict[str, str]:
    head = document[:2000]
    return {
        name.decode(): value.decode("latin-1")
        for name, value in _HEADER.findall(head)
        if name.lower() in {b"content-type", b"content-language", b"content-location"}
    }


def _stored(sessions: sessionmaker[Session]) -> list[RawItem]:
    with sessions() as session:
        return [RawItem.model_validate(payload) for payload in session.scalars(select(Item.payload))]


def test_the_whole_corpus_leaves_the_poller_running_and_escapes_all_markup(site: Site, tmp_path: Path) -> None:
    corpus = shared_path("feeds", "feedparser-corpus")
    documents = sorted(corpus.rglob("*.xml"))
    assert len(documents) > 1000
    engine = make_engine(f"sqlite:///{tmp_path / 'corpus.db'}")
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    settings = make_settings(str(engine.url), backfill_window_s=10 * 365 * 86400.0, parse_processes=1)
    feed_ids = []
    for n, path in enumerate(documents):
        body = path.read_bytes()
        url = site.serve(f"/{n}.xml", Reply(200, body, _headers(body) or {"Content-Type": "application/xml"}))
        feed_ids.append(add_feed(sessions, url))

    outcomes = PollRunner(settings, sessions).poll(*feed_ids, concurrency=16)

    reasons = Counter((o.outcome, o.reason) for o in outcomes)
    assert ("error", "internal") not in reasons, reasons
    assert reasons[("ok", "none")] > 900, reasons
    items = _stored(sessions)
    assert len(items) > 500
    for raw in items:
        for text in (raw.title, raw.summary, *raw.authors, *raw.categories):
            assert not _TAG.search(text), (raw.feed_url, text)
        assert not _DANGER.search(raw.summary_html), (raw.feed_url, raw.summary_html)
        assert clean_html(raw.summary_html) == raw.summary_html  # already sanitised: cleaning changes nothing
        if raw.link:
            assert raw.link.startswith(("http://", "https://"))
        event = encode(wrap(raw, source="/regalerts/ingest", subject=raw.item_id))
        assert not _DANGER.search(event.decode()), raw.feed_url
