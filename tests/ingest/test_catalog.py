"""The starter catalog: enough real feeds, jurisdictions and languages, and loading it is idempotent."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from services.ingest.catalog import install_catalog, load_catalog
from services.ingest.store import list_feeds
from services.pipeline.netguard import NetworkPolicy

REQUIRED_REGULATORS = {
    "us-sec",
    "us-ftc",
    "us-doj",
    "us-cftc",
    "us-fda",
    "eu-commission",
    "eu-esma",
    "eu-edpb",
    "gb-fca",
    "gb-cma",
    "gb-ico",
    "fr-cnil",
    "fr-amf",
    "fr-adlc",
    "de-bafin",
    "de-bkarta",
}


def test_catalog_covers_enough_feeds_jurisdictions_and_the_named_regulators() -> None:
    feeds = load_catalog()
    assert len(feeds) >= 40
    assert len({f.url for f in feeds}) == len(feeds)
    jurisdictions = {f.jurisdiction for f in feeds}
    assert len(jurisdictions) >= 15
    assert {"US", "EU", "GB", "FR", "DE", "CN", "JP", "KR", "IN", "AU", "CA"} <= jurisdictions
    assert {f.regulator for f in feeds} >= REQUIRED_REGULATORS
    for entry in feeds:
        parts = urlsplit(entry.url)
        assert parts.scheme in {"http", "https"} and parts.hostname and "." in parts.hostname
        assert (entry.regulator is None) == (entry.regulator_name is None)
        if entry.regulator:
            assert entry.regulator.startswith(entry.jurisdiction.lower() + "-")


def test_loading_the_catalog_twice_registers_each_feed_once(sessions: sessionmaker[Session]) -> None:
    policy = NetworkPolicy("")
    first = install_catalog(sessions, policy=policy, floor_s=60)
    assert (first.created, first.existing, first.refused) == (len(load_catalog()), 0, [])
    again = install_catalog(sessions, policy=policy, floor_s=60)
    assert (again.created, again.existing, again.refused) == (0, len(load_catalog()), [])
    with sessions() as session:
        stored = list_feeds(session)
    sec = next(f for f in stored if f.url == "https://www.sec.gov/news/pressreleases.rss")
    assert (sec.regulator, sec.jurisdiction, sec.language, sec.enabled) == ("us-sec", "US", "en", True)
