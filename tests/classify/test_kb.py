"""Loading and merging the knowledge base; the real one's coverage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.classify import kb
from services.pipeline.events import ActionType
from tests.classify.conftest import FIXTURE_KB


def test_entries_with_one_id_in_several_files_are_merged() -> None:
    loaded = kb.load(FIXTURE_KB)
    tencent = loaded.companies["tencent"]
    assert "Tencent Holdings" in tencent.aliases and "Tencent Music" in tencent.aliases
    assert tencent.local_names[:3] == ("腾讯", "騰訊", "腾讯控股") and "騰訊控股" in tencent.local_names
    assert tencent.country == "CN" and tencent.source == "test"
    comco = loaded.regulators["ch-comco"]
    assert comco.acronyms == ("COMCO", "WEKO", "ComCo")
    assert "Competition Commission" in comco.names and "Wettbewerbskommission" in comco.names


def test_missing_files_give_an_empty_knowledge_base(tmp_path: Path) -> None:
    (tmp_path / "regulators.jsonl").write_text("", encoding="utf-8")
    loaded = kb.load(tmp_path)
    assert loaded.regulators == {} and loaded.companies == {}
    assert loaded.lexicons and loaded.countries  # the package's own lexicons and countries


def test_a_folder_without_entity_files_is_no_knowledge_base(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(kb.KnowledgeBaseError, match="not a knowledge base"):
        kb.load(tmp_path)
    with pytest.raises(kb.KnowledgeBaseError, match="not a folder"):
        kb.load(tmp_path / "absent")


def test_a_bad_line_names_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "companies-x.jsonl").write_text('{"id": "a", "name": "A"}\n{"id": \n', encoding="utf-8")
    with pytest.raises(kb.KnowledgeBaseError, match=r"companies-x.jsonl:2: not JSON"):
        kb.load(tmp_path)
    (tmp_path / "companies-x.jsonl").write_text('{"name": "no id"}\n', encoding="utf-8")
    with pytest.raises(kb.KnowledgeBaseError, match=r"companies-x.jsonl:1: expected an object with a non-empty"):
        kb.load(tmp_path)


def test_a_lexicon_with_an_unknown_action_type_is_refused(tmp_path: Path) -> None:
    (tmp_path / "regulators.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "actions").mkdir()
    (tmp_path / "actions" / "en.json").write_text(json.dumps({"fine": ["fine"], "smite": ["smite"]}))
    with pytest.raises(kb.KnowledgeBaseError, match="unknown action types"):
        kb.load(tmp_path)


def test_lexicons_cover_every_action_type_in_ten_languages() -> None:
    lexicons = kb.load_lexicons(kb.KB_DIR)
    assert set(lexicons) == set(kb.LANGUAGES)
    for lang, lexicon in lexicons.items():
        missing = [a.value for a in ActionType if not lexicon.get(a.value)]
        assert missing == [], f"{lang} lacks triggers for {missing}"


def test_real_knowledge_base_has_300_regulators_in_50_jurisdictions() -> None:
    loaded = kb.load()
    jurisdictions = {r.jurisdiction for r in loaded.regulators.values()}
    assert len(loaded.regulators) >= 300
    assert len(jurisdictions - {"EU", "INT"}) >= 50 and "EU" in jurisdictions


def test_real_knowledge_base_has_2000_companies() -> None:
    loaded = kb.load()
    assert len(loaded.companies) >= 2000
    assert {"CN", "US", "JP", "KR", "DE", "FR", "GB", "IN"} <= {c.country for c in loaded.companies.values()}
