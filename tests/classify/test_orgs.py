"""Organisations found by their legal form (orgs.find_organisations), Latin and CJK, anywhere in a text."""

from __future__ import annotations

from services.classify.orgs import find_organisations


def _names(text: str) -> list[str]:
    return [org.name for org in find_organisations(text)]


def test_latin_legal_forms_after_their_name() -> None:
    text = "La CNMC multa a Cementos Portland SA. Luego, Bucher Landtechnik AG y la empresa Acme Widgets Inc. apelan."
    assert _names(text) == ["Cementos Portland", "Bucher Landtechnik", "Acme Widgets"]
    first = find_organisations(text)[0]
    assert text[first.start : first.end] == "Cementos Portland SA"


def test_a_form_glued_to_a_word_or_in_lower_case_is_no_form() -> None:
    assert _names("The USA and the plaza sa gmbh are no companies.") == []


def test_cjk_legal_forms_far_apart_are_all_found() -> None:
    filler = "监管部门表示将持续加强监督检查依法查处违法行为" * 10
    text = f"深圳市某某科技有限公司被处罚。{filler}另据通报，北京某某网络股份有限公司亦被约谈。"
    assert _names(text) == ["深圳市某某科技", "北京某某网络"]
    assert _names("株式会社ソニー、行政処分を受ける") == ["ソニー"]
