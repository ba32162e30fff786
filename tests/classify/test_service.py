"""The classify stage's pure core with the real pieces: classifier, watchlist matcher on a real store."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from services.classify.classifier import Classifier
from services.classify.service import classify_item
from services.classify.watchlist import WatchlistMatcher, create_entity
from services.pipeline.db import make_session_factory
from services.pipeline.events import RawItem, Tags


def test_a_raw_item_is_classified_with_its_watchlist_hits(classifier: Classifier, engine: Engine) -> None:
    sessions = make_session_factory(engine)
    with sessions() as session:
        create_entity(session, tenant_id="t1", name="Bucher Landtechnik", aliases=["Bucher"])
    matcher = WatchlistMatcher(sessions, refresh_s=60)
    now = datetime.now(UTC)
    item = RawItem(
        item_id="feed:1", feed_id="feed", feed_url="https://example.org/feed", title="La COMCO sanctionne Bucher Landtechnik",
        summary="La Commission de la concurrence inflige une amende à Bucher Landtechnik AG.", published_at=now,
        first_seen_at=now, language="fr", regulator_hint="ch-comco", jurisdiction_hint="CH",
    )  # fmt: skip

    def classify(raw: RawItem) -> Tags:
        return classifier.classify(raw.title, raw.summary, raw.language, regulator_hint=raw.regulator_hint,
                                   jurisdiction_hint=raw.jurisdiction_hint)  # fmt: skip

    classified = classify_item(item, classify, matcher.match)
    tags = classified.tags
    assert [r.id for r in tags.regulators] == ["ch-comco"] and tags.jurisdictions == ["CH"]
    assert [a.type.value for a in tags.actions] == ["fine"] and tags.actions[0].primary
    assert [(c.name, c.source) for c in tags.companies] == [("Bucher Landtechnik", "pattern")]
    assert [(h.tenant_id, h.name, len(h.evidence)) for h in tags.watchlist_hits] == [("t1", "Bucher Landtechnik", 2)]
    assert classified.item == item
