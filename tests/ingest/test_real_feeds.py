"""Real feed documents from ../shared/feeds/real served locally: RSS 1.0 and 2.0 in four languages, and
documents that are not feeds at all (the Swiss news service's own XML), which fail cleanly."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from services.ingest.settings import IngestSettings
from tests.conftest import shared_path
from tests.ingest.conftest import PollRunner, Reply, Site, add_feed, feed
from tests.ingest.test_poller import pending

EXPECTED_LANGUAGES = {
    "debian": "en",
    "ilgiornale": "it",
    "ilmessaggero": "it",
    "nbcny": "en",
    "spiegel": "de",
    "wirecutter": "en",
}


def test_real_feeds(site: Site, settings: IngestSettings, sessions: sessionmaker[Session]) -> None:
    runner = PollRunner(settings.model_copy(update={"backfill_window_s": 30 * 365 * 86400.0}), sessions)  # old items
    folder = shared_path("feeds", "real")
    feeds: dict[str, str] = {}
    for path in sorted(folder.glob("*.xml")):
        url = site.serve(f"/{path.name}", Reply(200, path.read_bytes(), {"Content-Type": "application/xml"}))
        feeds[path.stem] = add_feed(sessions, url)
    outcomes = dict(zip(feeds, runner.poll(*feeds.values()), strict=True))
    for name, outcome in outcomes.items():
        if name.startswith("admin-ch-nsb"):
            assert (outcome.outcome, outcome.reason) == ("error", "parse")
            assert feed(sessions, feeds[name]).last_error == "not an RSS, Atom or JSON feed"
        else:
            assert outcome.outcome == "ok", name
    languages = {raw.feed_url.rsplit("-", 1)[-1].removesuffix(".xml"): raw.language for raw in pending(sessions)}
    assert languages == EXPECTED_LANGUAGES
