"""OPML import and export against the store: attributes round-trip, and one bad outline spares the others."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from services.ingest.opml import export_opml, import_opml, parse_opml
from services.ingest.store import list_feeds
from services.pipeline.netguard import NetworkPolicy

POLICY = NetworkPolicy("127.0.0.0/8")


def opml(*outlines: str) -> bytes:
    return f'<?xml version="1.0"?><opml version="2.0"><body>{"".join(outlines)}</body></opml>'.encode()


def test_enabled_and_interval_survive_a_round_trip(sessions: sessionmaker[Session]) -> None:
    document = opml(
        '<outline text="Off" xmlUrl="http://127.0.0.1/off.xml" enabled="false" poll_interval_s="600"/>',
        '<outline text="On" xmlUrl="http://127.0.0.1/on.xml" language="fr"/>',
    )
    assert import_opml(document, sessions, policy=POLICY, floor_s=1).created == 2
    with sessions() as session:
        exported = export_opml(list_feeds(session))
    assert b'enabled="false"' in exported and b'poll_interval_s="600.0"' in exported
    again = {spec.url: spec for spec in parse_opml(exported).specs}
    off, on = again["http://127.0.0.1/off.xml"], again["http://127.0.0.1/on.xml"]
    assert (off.enabled, off.poll_interval_s, off.title) == (False, 600.0, "Off")
    assert (on.enabled, on.poll_interval_s, on.language) == (True, None, "fr")


def test_bad_outlines_are_reported_and_the_others_registered(sessions: sessionmaker[Session]) -> None:
    document = opml(
        '<outline text="Folder"><outline text="A" xmlUrl="http://127.0.0.1/a.xml"/></outline>',
        '<outline text="Too fast" xmlUrl="http://127.0.0.1/fast.xml" poll_interval_s="-5"/>',
        '<outline text="Odd" xmlUrl="http://127.0.0.1/odd.xml" enabled="maybe"/>',
        f'<outline title="{"x" * 501}" xmlUrl="http://127.0.0.1/long.xml"/>',
        '<outline text="No address"/>',
        '<outline text="B" xmlUrl="http://127.0.0.1/b.xml"/>',
    )
    report = import_opml(document, sessions, policy=POLICY, floor_s=1)
    assert report.created == 2
    assert report.refused == [
        {
            "url": "http://127.0.0.1/fast.xml",
            "error": "outline refused: poll_interval_s: Input should be greater than 0",
        },
        {"url": "http://127.0.0.1/odd.xml", "error": "outline refused: enabled: 'maybe' is not true or false"},
        {
            "url": "http://127.0.0.1/long.xml",
            "error": "outline refused: title: String should have at most 500 characters",
        },
        {"url": "", "error": "outline 'No address' has no xmlUrl"},
    ]
    with sessions() as session:
        assert [f.url for f in list_feeds(session)] == ["http://127.0.0.1/a.xml", "http://127.0.0.1/b.xml"]
