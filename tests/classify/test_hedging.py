"""A hedged or hypothetical action is mentioned, never the item's primary action."""

from __future__ import annotations

import pytest

from services.classify.classifier import Classifier


def _actions(classifier: Classifier, title: str, summary: str = "", lang: str | None = None) -> dict[str, bool]:
    return {a.type.value: a.primary for a in classifier.classify(title, summary, lang).actions}


@pytest.mark.parametrize(
    ("lang", "title", "action"),
    [
        ("en", "Tencent could face a fine over data transfers", "fine"),
        ("en", "The FTC threatens to sue Alibaba", "lawsuit"),
        ("de", "Bußgelder sind möglich: Tencent unter Druck", "fine"),
        ("de", "Tencent drohen hohe Bußgelder", "fine"),
        ("fr", "Tencent risque une amende de la COMCO", "fine"),
        ("es", "Tencent podría recibir una multa", "fine"),
        ("it", "Tencent rischia una multa", "fine"),
        ("nl", "Tencent kan een boete krijgen", "fine"),
        ("zh", "腾讯可能面临罚款", "fine"),
    ],
)
def test_hedged_actions_are_mentioned_not_primary(classifier: Classifier, lang: str, title: str, action: str) -> None:
    assert _actions(classifier, title, "", lang) == {action: False}


def test_stated_actions_stay_primary(classifier: Classifier) -> None:
    assert _actions(classifier, "In May, the COMCO fined Tencent", "", "en") == {"fine": True}
    assert _actions(classifier, "COMCO fines Tencent, which could appeal", "", "en") == {"fine": True}
    # a hedge in another clause of the sentence leaves the action stated
    tags = _actions(classifier, "COMCO fines Tencent", "The regulator could also order changes.", "en")
    assert tags == {"fine": True, "order": False}
