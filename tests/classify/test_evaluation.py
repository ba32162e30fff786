"""Scoring as ../shared/data/README.md defines it."""

from __future__ import annotations

import pytest

from services.classify.classifier import Classifier
from services.classify.evaluation import Counts, Report, name_key, names_match
from services.pipeline.events import ActionTag, ActionType, CompanyTag, RegulatorTag, Tags


def test_names_fold_case_accents_punctuation_and_legal_suffixes() -> None:
    assert name_key("Société Générale S.A.") == ("societe", "generale")
    assert names_match("Alibaba", "Alibaba Group Holding")
    assert names_match("Intesa Sanpaolo Vita S.p.a.", "Intesa Sanpaolo")
    assert names_match("RIMOWA GmbH", "Rimowa")
    assert not names_match("Swiss Post", "Swisscom")
    assert not names_match("Group", "Alibaba")


def test_counts() -> None:
    counts = Counts()
    counts.add(tp=2, predicted=3, gold=4)
    assert (counts.tp, counts.fp, counts.fn) == (2, 1, 2)
    assert counts.precision == pytest.approx(2 / 3) and counts.recall == 0.5
    assert counts.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert Counts().f1 == 1.0  # nothing to find and nothing found


def _tags(companies: list[str], regulators: list[str], actions: list[str]) -> Tags:
    return Tags(
        language="de",
        companies=[CompanyTag(id=c, name=c, confidence=0.9) for c in companies],
        regulators=[RegulatorTag(id=r, name=r, jurisdiction="CH", confidence=0.9) for r in regulators],
        actions=[ActionTag(type=ActionType(a), confidence=0.9, primary=True) for a in actions],
        classifier_version="test",
    )


def test_report_scores_per_field_language_and_action(classifier: Classifier) -> None:
    gold = {
        "lang": "de", "companies": ["Tencent Holdings", "Quickmail"], "actions": ["fine", "settlement"],
        "regulators": [{"name": "Swiss Competition Commission", "acronym": "COMCO", "aliases": ["WEKO"]}],
    }  # fmt: skip
    report = Report()
    # "tencent" is a knowledge-base id: matched through its names; "ch-comco" through its acronyms
    report.add(gold, _tags(["tencent", "Nobody AG"], ["ch-comco"], ["fine", "order"]), classifier.kb)
    company, regulator, action = (report.overall[f] for f in ("company", "regulator", "action"))
    assert (company.tp, company.fp, company.fn) == (1, 1, 1)
    assert (regulator.tp, regulator.fp, regulator.fn) == (1, 0, 0)
    assert (action.tp, action.fp, action.fn) == (1, 1, 1)
    assert report.action_macro_f1 == pytest.approx(1 / 3)  # fine 1.0, order 0.0, settlement 0.0
    assert report.language_means() == {}  # fewer than five items
    for _ in range(4):
        report.add(gold, _tags([], [], []), classifier.kb)
    assert set(report.language_means()) == {"de"} and report.as_dict()["items"] == 5
