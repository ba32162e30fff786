"""Regulator names flagged ambiguous in the knowledge base count only in context (ambiguity.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.classify.classifier import Classifier
from services.pipeline.events import Tags

REGULATORS = [
    {"id": "uk-fca", "name": "Financial Conduct Authority", "acronyms": ["FCA"], "jurisdiction": "GB",
     "ambiguous_acronyms": ["FCA"]},
    # Bodies sharing "SEC", the dominant owner last: the order of the files must not decide.
    {"id": "ng-sec", "name": "Securities and Exchange Commission Nigeria", "acronyms": ["SEC"],
     "jurisdiction": "NG", "ambiguous_acronyms": ["SEC"]},
    {"id": "ph-sec", "name": "Securities and Exchange Commission (Philippines)", "acronyms": ["SEC"],
     "jurisdiction": "PH", "ambiguous_acronyms": ["SEC"]},
    {"id": "us-sec", "name": "Securities and Exchange Commission", "acronyms": ["SEC", "Sec"], "jurisdiction": "US",
     "ambiguous_acronyms": ["Sec"]},
    {"id": "us-fcc", "name": "Federal Communications Commission", "acronyms": ["FCC"], "jurisdiction": "US"},
    {"id": "ch-comcom", "name": "Federal Communications Commission (Switzerland)", "acronyms": ["ComCom"],
     "names": {"en": ["Federal Communications Commission"], "de": ["Eidgenössische Kommunikationskommission"]},
     "jurisdiction": "CH", "ambiguous_acronyms": ["Federal Communications Commission"]},
    {"id": "eu-commission", "name": "European Commission", "acronyms": ["EC"], "jurisdiction": "EU",
     "names": {"fr": ["Commission européenne", "Bruxelles"]}, "ambiguous_acronyms": ["EC", "Bruxelles"]},
    {"id": "cn-cac", "name": "Cyberspace Administration of China", "acronyms": ["CAC"], "jurisdiction": "CN",
     "names": {"zh": ["国家互联网信息办公室"]}, "ambiguous_acronyms": ["CAC"]},
]  # fmt: skip
COMPANIES = [{"id": "barclays", "name": "Barclays", "country": "GB"}]


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> Classifier:
    """A classifier on a knowledge base of a few bodies with ambiguous names (countries and lexicons: the
    package's own)."""
    folder: Path = tmp_path_factory.mktemp("kb")
    for name, records in (("regulators.jsonl", REGULATORS), ("companies.jsonl", COMPANIES)):
        lines = (json.dumps(record, ensure_ascii=False) for record in records)
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Classifier.load(folder)


def _regulators(tags: Tags) -> list[str]:
    return [regulator.id for regulator in tags.regulators]


def test_an_ambiguous_acronym_alone_is_no_regulator(classifier: Classifier) -> None:
    assert (
        _regulators(classifier.classify("FCA shares rise 3% in Milan", "The carmaker's FCA stock rallied.", "en")) == []
    )
    assert _regulators(classifier.classify("Le CAC termine en hausse de 1 %", "", "fr")) == []
    assert _regulators(classifier.classify("Bruxelles sous la neige", "Il neige à Bruxelles.", "fr")) == []


def test_a_regulatory_action_in_the_same_sentence_is_context(classifier: Classifier) -> None:
    assert _regulators(classifier.classify("FCA fines Barclays", "", "en")) == ["uk-fca"]
    assert _regulators(classifier.classify("Bruxelles inflige une amende à Google", "", "fr")) == ["eu-commission"]
    assert _regulators(classifier.classify("Le CAC a convoqué Tencent", "", "fr")) == ["cn-cac"]


def test_an_action_in_another_sentence_is_not_context(classifier: Classifier) -> None:
    tags = classifier.classify("Barclays fined over reporting failures", "FCA shares rose on Tuesday.", "en")
    assert [action.type.value for action in tags.actions] == ["fine"]
    assert _regulators(tags) == []


def test_the_bodys_jurisdiction_named_is_context(classifier: Classifier) -> None:
    tags = classifier.classify("British watchdog: FCA chief on crypto", "The FCA's chief spoke in London.", "en")
    assert _regulators(tags) == ["uk-fca"]
    assert _regulators(classifier.classify("La CAC et la Chine", "Les règles de la CAC en Chine.", "fr")) == ["cn-cac"]


def test_another_unambiguous_name_of_the_same_body_is_context(classifier: Classifier) -> None:
    tags = classifier.classify("Speech", "The Financial Conduct Authority published a speech. The FCA said more.", "en")
    assert _regulators(tags) == ["uk-fca"]
    assert [e["text"] for e in tags.regulators[0].evidence] == ["Financial Conduct Authority", "FCA"]


def test_the_feeds_hints_are_context(classifier: Classifier) -> None:
    tags = classifier.classify("FCA statement on markets", "", "en", jurisdiction_hint="gb")
    assert _regulators(tags) == ["uk-fca"] and tags.regulators[0].evidence[0]["text"] == "FCA"
    tags = classifier.classify("FCA statement on markets", "", "en", regulator_hint="Financial Conduct Authority")
    assert _regulators(tags) == ["uk-fca"] and tags.regulators[0].evidence[0]["text"] == "FCA"


def test_a_rival_named_unambiguously_needs_strong_context(classifier: Classifier) -> None:
    assert _regulators(classifier.classify("SEC fines Acme", "", "en")) == ["us-sec"]
    assert _regulators(classifier.classify("Nigeria: SEC fines Acme", "", "en")) == ["ng-sec"]


@pytest.mark.parametrize("lang", ["en", "fr", "de", "es", "it", None])
def test_a_shared_acronym_goes_to_its_dominant_owner_in_any_language(classifier: Classifier, lang: str | None) -> None:
    for title in ("SEC fines Acme", "SEC opens probe into Acme", "SEC Acme"):
        assert _regulators(classifier.classify(title, "", lang)) == ["us-sec"], title


def test_the_case_of_a_flagged_form_counts(classifier: Classifier) -> None:
    assert _regulators(classifier.classify("SEC Acme", "", "en")) == ["us-sec"]  # "Sec" is flagged, not "SEC"
    assert _regulators(classifier.classify("Sec. 12 of the act", "", "en")) == []


def test_context_gives_a_shared_acronym_to_another_owner(classifier: Classifier) -> None:
    assert _regulators(classifier.classify("La SEC des Philippines sanctionne Acme", "", "fr")) == ["ph-sec"]
    assert _regulators(classifier.classify("Philippinen: SEC verhängt Bußgeld gegen Acme", "", "de")) == ["ph-sec"]
    tags = classifier.classify("SEC fines Acme", "", "en", jurisdiction_hint="NG")
    assert _regulators(tags) == ["ng-sec"]


def test_the_federal_communications_commission_is_the_swiss_comcom_in_swiss_context(classifier: Classifier) -> None:
    assert _regulators(classifier.classify("Federal Communications Commission approves merger", "", "en")) == ["us-fcc"]
    tags = classifier.classify(
        "Swiss mobile licences", "The Federal Communications Commission awarded Swiss licences.", "en"
    )
    assert _regulators(tags) == ["ch-comcom"]
    tags = classifier.classify("Frequenzen", "Die Federal Communications Commission genehmigt die Fusion.", "de")
    assert _regulators(tags) == ["us-fcc"]
    tags = classifier.classify(
        "Frequenzen", "Die Federal Communications Commission vergibt in der Schweiz Frequenzen.", "de"
    )
    assert _regulators(tags) == ["ch-comcom"]


def test_avis_the_french_word_is_no_company(real_classifier: Classifier) -> None:
    title = "ESTI – Avis de rappel de sécurité concernant des batteries"
    tags = real_classifier.classify(title, "Selon l'avis de l'inspection, les batteries sont rappelées.", "fr")
    assert "avis-budget-group" not in [company.id for company in tags.companies]
    tags = real_classifier.classify("Hertz et Avis condamnés", "L'amende frappe Hertz et Avis Budget Group.", "fr")
    assert "avis-budget-group" in [company.id for company in tags.companies]


def test_the_real_knowledge_base_flags_ambiguous_forms(real_classifier: Classifier) -> None:
    kb = real_classifier.kb
    assert "cac" in kb.regulators["cn-cac"].ambiguous and "fca" in kb.regulators["uk-fca"].ambiguous
    assert "federal communications commission" in kb.regulators["ch-comcom"].ambiguous
    assert kb.companies["avis-budget-group"].ambiguous and "Avis" in kb.companies["avis-budget-group"].aliases
    tags = real_classifier.classify("FCA shares rally in Milan", "Fiat Chrysler's FCA stock rose 3% on Tuesday.", "en")
    assert "uk-fca" not in _regulators(tags)
    tags = real_classifier.classify("FCA fines Barclays £26m", "The FCA fined Barclays for failures.", "en")
    assert _regulators(tags) == ["uk-fca"]


@pytest.mark.parametrize(
    ("title", "regulator"),
    [
        ("SEC fines Tesla", "us-sec"),
        ("SEC charges Goldman Sachs with fraud", "us-sec"),
        ("SEC and Tesla settle", "us-sec"),
        ("The Nigerian SEC fines Acme Ltd", "ng-sec"),
        ("Thai SEC fines Acme", "th-sec"),
        ("Ofcom fines BT", "uk-ofcom"),
    ],
)
def test_shared_acronyms_on_the_real_knowledge_base(real_classifier: Classifier, title: str, regulator: str) -> None:
    assert _regulators(real_classifier.classify(title, "", None)) == [regulator]
