"""Organisations outside the knowledge base: by their legal form (orgs.find_organisations), Latin and CJK,
anywhere in a text, and by their place beside a headline's action verb."""

from __future__ import annotations

import re

import pytest

from services.classify import orgs
from services.classify.classifier import Classifier
from services.classify.orgs import find_organisations, is_generic


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


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("en", "Regulator fines Zyxwv Widgets"),
        ("en", "Watchdog fines Zyxwv Widgets"),
        ("en", "The Court fines Zyxwv Widgets"),
        ("en", "Government bans Zyxwv Widgets"),
        ("fr", "Le Gendarme sanctionne Zyxwv Widgets"),
        ("es", "La Autoridad multa a Zyxwv Widgets"),
        ("it", "L'Autorità multa Zyxwv Widgets"),
        ("pt", "Autoridade multa Zyxwv Widgets"),
        ("nl", "De Toezichthouder beboet Zyxwv Widgets"),
        ("pt", "Concorrência multa Zyxwv Widgets"),
        ("es", "Protección de Datos multa a Zyxwv Widgets"),
        ("it", "Antitrust multa Zyxwv Widgets"),
    ],
)
def test_common_nouns_are_no_organisation_by_position(classifier: Classifier, lang: str, title: str) -> None:
    tags = classifier.classify(title, "", lang)
    assert [c.name for c in tags.companies] == ["Zyxwv Widgets"]


def test_a_name_with_a_common_noun_in_it_is_still_an_organisation(classifier: Classifier) -> None:
    tags = classifier.classify("Zyxwv Bank fined by regulator", "", "en")
    assert [c.name for c in tags.companies] == ["Zyxwv Bank"]


def test_is_generic() -> None:
    assert is_generic("Regulator") and is_generic("The Federal Court") and is_generic("L'Autorità")
    assert is_generic("Bank") and is_generic("Ministerio")
    assert not is_generic("Zyxwv Bank") and not is_generic("Acme")


def _written(form: str, optional: bool) -> str:
    """A legal form's pattern written out, with or without its optional parts."""
    if not optional:
        form = re.sub(r"\(\?:[^)]*\)\?|\\?.\?", "", form)
    return re.sub(r"\\(.)", r"\1", re.sub(r"\(\?:([^)]*)\)\?", r"\1", form)).replace("?", "")


@pytest.mark.parametrize("form", orgs._LEGAL_FORMS.split("|"))
@pytest.mark.parametrize("optional", [True, False])
def test_every_legal_form_is_found(form: str, optional: bool) -> None:
    written = _written(form, optional)
    assert [o.name for o in orgs.find_organisations(f"Zyxwv Widgets {written} was fined.")] == ["Zyxwv Widgets"], (
        written
    )


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("es", "Nueva multa para Tencent"),
        ("fr", "Nouvelle amende pour Tencent"),
        ("en", "Fresh probe into Tencent"),
        ("es", "Otra multa a Tencent"),
    ],
)
def test_a_headline_first_word_is_no_company(classifier: Classifier, lang: str, title: str) -> None:
    assert [c.name for c in classifier.classify(title, "", lang).companies] == ["Tencent"]


def test_a_one_word_subject_named_again_mid_sentence_is_a_company(classifier: Classifier) -> None:
    summary = "La autoridad sancionó a Voltaro por publicidad engañosa."
    names = {c.name for c in classifier.classify("Voltaro multada por la autoridad", summary, "es").companies}
    assert names == {"Voltaro"}
    assert {c.name for c in classifier.classify("UPSX multada", "", "es").companies} == {"UPSX"}  # its shape
