"""The plain gazetteer baseline: every knowledge-base form found as written, no rule."""

from __future__ import annotations

import json
from pathlib import Path

from services.classify.gazetteer import Gazetteer
from services.classify.kb import load
from tests.classify.conftest import FIXTURE_KB
from tests.conftest import run_regalerts


def _gazetteer() -> Gazetteer:
    return Gazetteer(load(FIXTURE_KB))


def test_names_and_triggers_are_found_as_written() -> None:
    tags = _gazetteer().classify("La COMCO sanctionne Tencent", "Le 腾讯 de Shenzhen.", "fr")
    assert [c.id for c in tags.companies] == ["tencent"]  # two names, one company
    assert [r.acronym or r.name for r in tags.regulators] and tags.jurisdictions == ["CH"]
    assert [(a.type.value, a.primary) for a in tags.actions] == [("fine", True)]
    assert tags.language == "fr" and tags.classifier_version == "gazetteer"


def test_it_applies_no_rule() -> None:
    gazetteer = _gazetteer()
    # a lower-case common word is a company to it, and a denied action is still an action
    assert [c.id for c in gazetteer.classify("an apple a day", "", "en").companies] == ["apple"]
    assert [a.type.value for a in gazetteer.classify("COMCO does not plan to fine Tencent", "", "en").actions] == [
        "fine"
    ]
    assert gazetteer.classify("Tencentral", "", "en").companies == []  # but words keep their boundaries


def test_eval_prints_the_gazetteer_beside_the_classifier(tmp_path: Path) -> None:
    item = {"id": "x", "lang": "en", "title": "COMCO does not plan to fine Tencent", "summary": "",
            "companies": ["Tencent"], "actions": [], "regulators": [{"name": "COMCO", "aliases": []}]}  # fmt: skip
    dataset = tmp_path / "set.jsonl"
    dataset.write_text(json.dumps(item) + "\n", encoding="utf-8")
    text = run_regalerts("eval", "--dataset", str(dataset), "--kb", str(FIXTURE_KB), "--baseline")
    assert text.returncode == 0, text.stderr
    assert "action macro-F1: 1.000   gazetteer 0.000" in text.stdout  # the denied fine is the gazetteer's miss
    scored = run_regalerts("eval", "--dataset", str(dataset), "--kb", str(FIXTURE_KB), "--baseline", "--json")
    figures = json.loads(scored.stdout)
    assert figures["action_macro_f1"] == 1.0 and figures["baseline"]["action_macro_f1"] == 0.0
