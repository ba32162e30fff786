"""The classify stage's pure core with the real classifier."""

from __future__ import annotations

from datetime import UTC, datetime

from services.classify.classifier import Classifier
from services.classify.service import classify_item
from services.pipeline.events import RawItem, Tags


def test_a_raw_item_is_classified(classifier: Classifier) -> None:
    now = datetime.now(UTC)
    item = RawItem(
        item_id="feed:1", feed_id="feed", feed_url="https://example.org/feed", title="La COMCO sanctionne Bucher Landtechnik",
        summary="La Commission de la concurrence inflige une amende à Bucher Landtechnik AG.", published_at=now,
        first_seen_at=now, language="fr", regulator_hint="ch-comco", jurisdiction_hint="CH",
    )  # fmt: skip

    def classify(raw: RawItem) -> Tags:
        return classifier.classify(raw.title, raw.summary, raw.language, regulator_hint=raw.regulator_hint,
                                   jurisdiction_hint=raw.jurisdiction_hint)  # fmt: skip

    classified = classify_item(item, classify)
    tags = classified.tags
    assert [r.id for r in tags.regulators] == ["ch-comco"] and tags.jurisdictions == ["CH"]
    assert [a.type.value for a in tags.actions] == ["fine"] and tags.actions[0].primary
    assert [(c.name, c.source) for c in tags.companies] == [("Bucher Landtechnik", "pattern")]
    assert classified.item == item
