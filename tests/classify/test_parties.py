"""Companies the knowledge base does not hold: merger parties after their prepositions, subsidiaries named
with their legal form, former names."""

from __future__ import annotations

import pytest

from services.classify.classifier import Classifier
from services.classify.orgs import find_organisations, former_name, is_subsidiary


def _companies(classifier: Classifier, title: str, summary: str, lang: str) -> list[tuple[str, str]]:
    return [(c.name, c.source) for c in classifier.classify(title, summary, lang).companies]


@pytest.mark.parametrize(
    ("lang", "text", "parties"),
    [
        ("fr", "L'autorité autorise l'acquisition prévue de Voltaro par Brenz Capital.", {"Voltaro", "Brenz Capital"}),
        ("en", "The regulator cleared the takeover of Voltaro by Brenz Capital.", {"Voltaro", "Brenz Capital"}),
        ("it", "L'Antitrust autorizza l'acquisizione di Voltaro da parte di Brenz.", {"Voltaro", "Brenz"}),
        ("pt", "A compra, pela Brenz, de participações foi aprovada.", {"Brenz"}),
        ("de", "Die Behörde verbietet die Übernahme von Voltaro durch Brenz.", {"Voltaro", "Brenz"}),
    ],
)
def test_merger_parties_after_their_prepositions(
    classifier: Classifier, lang: str, text: str, parties: set[str]
) -> None:
    assert {name for name, source in _companies(classifier, "", text, lang) if source == "pattern"} == parties


def test_german_nouns_after_von_are_no_parties(classifier: Classifier) -> None:
    tags = _companies(classifier, "", "Die Behörde prüft die Übernahme von Aktien der Bank.", "de")
    assert tags == []


def test_a_pair_with_a_public_body_is_no_merger(classifier: Classifier) -> None:
    text = "A compra foi aprovada pela Superintendência-Geral da COMCO (SG/COMCO)."
    assert [name for name, _ in _companies(classifier, "", text, "pt")] == []


def test_a_subsidiary_with_its_legal_form_is_its_own_company(real_classifier: Classifier) -> None:
    tags = _companies(real_classifier, "BaFin verhängt Bußgeld gegen Allianz Lebensversicherungs-AG", "", "de")
    assert tags == [("Allianz Lebensversicherungs", "pattern")]
    tags = _companies(real_classifier, "L'AMF sanctionne Société Générale Securities Services S.A.", "", "fr")
    assert tags == [("Société Générale Securities Services", "pattern")]
    # the group itself, with its legal form or a word for a group, stays the known company
    assert _companies(real_classifier, "BaFin fines Deutsche Bank AG", "", "en") == [
        ("Deutsche Bank", "knowledge_base")
    ]
    assert _companies(real_classifier, "SEC fines BMW Group AG", "", "en") == [("BMW", "knowledge_base")]
    # a known name inside a longer one with a legal form, not at its start, is no subsidiary
    tags = _companies(real_classifier, "BaFin untersagt Leerverkäufe von Aktien der Wirecard AG", "", "de")
    assert tags == [("Wirecard", "knowledge_base")]
    # a regulator run together with a company before a legal form leaves the company
    tags = _companies(real_classifier, "BaFin Deutsche Bank AG", "", "de")
    assert tags == [("Deutsche Bank", "knowledge_base")]


def test_subsidiary_words() -> None:
    assert is_subsidiary(" Lebensversicherungs") and is_subsidiary(" Securities Services")
    assert not is_subsidiary(" Group") and not is_subsidiary(" Holdings") and not is_subsidiary("")
    assert [org.name for org in find_organisations("die Allianz Lebensversicherungs-AG zahlt")] == [
        "Allianz Lebensversicherungs"
    ]


def test_a_former_name_is_no_second_company(classifier: Classifier) -> None:
    text = "De ACM beboet Groothandel Voltaro B.V. (voorheen Brenz B.V.) voor overtredingen."
    assert _companies(classifier, "", text, "nl") == [("Groothandel Voltaro", "pattern")]
    assert former_name("X Ltd (formerly Y Ltd)", 16) and not former_name("X Ltd and Y Ltd", 10)
