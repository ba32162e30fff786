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


# URLs no public source confirmed, replaced by ones several public feed lists or working code use.
REPLACED = {
    "https://www.bafin.de/SiteGlobals/Functions/RSSFeed/DE/RSSNewsfeed/RSSNewsfeed_Meldungen.xml",
    "https://www.bundeskartellamt.de/SiteGlobals/Functions/RSSFeed/DE/RSSNewsfeed_Pressemitteilungen.xml",
    "https://www.hkma.gov.hk/eng/rss/press-releases.xml",
    "https://www.gov.br/cvm/pt-br/rss/noticias.xml",
    "https://www.cnmv.es/portal/rss/UltimasNoticias.aspx",
    "https://www.afm.nl/nl-nl/nieuws/rss",
}


def test_every_entry_says_where_its_url_was_confirmed() -> None:
    feeds = load_catalog()
    unconfirmed = {f.regulator for f in feeds if f.confirmed_by.startswith("unconfirmed: ")}
    assert unconfirmed == {"au-asic", "sg-mas", "ca-cb"}
    assert not REPLACED & {f.url for f in feeds}


def test_the_catalog_covers_korea_japan_spain_brazil_eu_competition_and_chinese_news() -> None:
    feeds = load_catalog()
    assert {"kr-kftc", "kr-fsc", "jp-jftc", "es-cnmc", "br-cade", "eu-dgcomp"} <= {f.regulator for f in feeds}
    chinese = [f for f in feeds if f.jurisdiction == "CN" and f.language == "zh"]
    assert len(chinese) >= 2 and all(f.regulator is None for f in chinese)  # news, not a regulator's own feed


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
