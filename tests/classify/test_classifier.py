"""The classifier's tags and the rules for ambiguous names, on the fixture knowledge base."""

from __future__ import annotations

from services.classify.classifier import Classifier
from services.pipeline.events import Tags


def _companies(tags: Tags) -> list[str]:
    return [company.id for company in tags.companies]


def _actions(tags: Tags) -> dict[str, bool]:
    return {action.type.value: action.primary for action in tags.actions}


def test_every_tag_carries_evidence_pointing_at_the_original_text(classifier: Classifier) -> None:
    title = "L’Administration chinoise du cyberespace convoque Tencent"
    summary = "Le CAC a convoqué le groupe Tencent et ByteDance (抖音) jeudi."
    tags = classifier.classify(title, summary, None)
    fields = {"title": title, "summary": summary}
    evidence = [e for tag in (*tags.companies, *tags.regulators, *tags.actions) for e in tag.evidence]
    assert evidence and all(fields[e["field"]][e["start"] : e["end"]] == e["text"] for e in evidence)
    assert [r.id for r in tags.regulators] == ["cn-cac"] and tags.regulators[0].acronym == "CAC"
    assert _companies(tags) == ["tencent", "bytedance"] and tags.jurisdictions == ["CN"]
    assert tags.language == "fr" and tags.classifier_version.startswith("1.0+kb.")


def test_cac_40_is_a_stock_index_not_the_regulator(classifier: Classifier) -> None:
    tags = classifier.classify(
        "Le CAC 40 termine en hausse", "La Bourse de Paris a gagné 1 %, le CAC 40 à 7 500 points.", "fr"
    )
    assert tags.regulators == [] and tags.jurisdictions == []
    assert classifier.classify("Le CAC-40 recule", "", "fr").regulators == []
    assert [r.id for r in classifier.classify("Le CAC a convoqué Tencent", "", "fr").regulators] == ["cn-cac"]


def test_apple_the_fruit_is_no_company(classifier: Classifier) -> None:
    tags = classifier.classify(
        "Apple harvest up in Normandy", "Growers picked more apples this year; apple prices fell.", "en"
    )
    assert _companies(tags) == []
    tags = classifier.classify("Autoriteit Consument & Markt legt Apple boete op", "De ACM beboet Apple.", "nl")
    assert _companies(tags) == ["apple"] and [r.id for r in tags.regulators] == ["nl-acm"]


def test_shell_the_noun_is_no_company(classifier: Classifier) -> None:
    tags = classifier.classify(
        "SEC fines shell companies", "The SEC fined three shell companies used to hide funds.", "en"
    )
    assert _companies(tags) == [] and "fine" in _actions(tags)
    tags = classifier.classify("SEC fines Shell", "The SEC fined Shell plc for misstating reserves.", "en")
    assert _companies(tags) == ["shell"]


def test_meta_the_prefix_is_no_company(classifier: Classifier) -> None:
    tags = classifier.classify(
        "Commission européenne: amende",
        "Une méta-analyse et une Meta-Analyse citées par la Commission européenne.",
        "fr",
    )
    assert _companies(tags) == []
    tags = classifier.classify("La Commission européenne inflige une amende à Meta", "", "fr")
    assert _companies(tags) == ["meta"]


def test_an_ambiguous_name_without_any_context_is_left_out(classifier: Classifier) -> None:
    assert _companies(classifier.classify("Post war memories", "A book about Meta and Post.", "en")) == []


def test_a_regulator_name_is_not_a_company(classifier: Classifier) -> None:
    tags = classifier.classify("Wettbewerbskommission prüft", "Die Wettbewerbskommission (WEKO) prüft.", "de")
    assert [r.id for r in tags.regulators] == ["ch-comco"] and tags.companies == []


def test_a_shared_name_goes_to_the_company_of_the_items_country(classifier: Classifier) -> None:
    tags = classifier.classify("WEKO büsst die Post", "Die Wettbewerbskommission büsst die Post in der Schweiz.", "de")
    assert _companies(tags) == ["swiss-post"]


def test_shared_regulator_names_follow_the_countries_in_the_text(classifier: Classifier) -> None:
    turkish = classifier.classify(
        "トルコの公正取引委員会、グーグルに課徴金", "トルコの公正取引委員会はグーグルに課徴金を科した。", "ja"
    )
    assert [r.id for r in turkish.regulators] == ["tr-rk"] and turkish.jurisdictions == ["TR"]
    japanese = classifier.classify("公正取引委員会、グーグルに課徴金", "公正取引委員会は課徴金を科した。", "ja")
    assert [r.id for r in japanese.regulators] == ["jp-jftc"]


def test_a_regional_bureau_reports_as_its_national_body(classifier: Classifier) -> None:
    tags = classifier.classify("广东证监局对某公司采取行政监管措施", "", "zh")
    assert [r.id for r in tags.regulators] == ["cn-csrc"] and _actions(tags) == {"order": True}


def test_background_actions_rank_below_the_headline(classifier: Classifier) -> None:
    tags = classifier.classify(
        "La Chine convoque des entreprises technologiques",
        "Les autorités chinoises ont convoqué 11 entreprises. La réunion intervient après que la Chine a interdit "
        "Clubhouse le mois dernier.",
        "fr",
    )
    assert [a.type.value for a in tags.actions] == ["summons", "ban"]
    summons, ban = tags.actions
    assert summons.primary and not ban.primary and summons.confidence > ban.confidence
    assert tags.jurisdictions == ["CN"]  # no regulator named: the country the text makes clear


def test_products_map_to_their_owners_unless_only_a_channel(classifier: Classifier) -> None:
    tags = classifier.classify("微信和抖音被约谈", "", "zh")
    assert _companies(tags) == ["tencent", "bytedance"] and _actions(tags) == {"summons": True}
    tags = classifier.classify(
        "网络安全审查办公室同意滴滴出行恢复新用户注册", "滴滴出行在微博发文表示将配合整改。", "zh"
    )
    assert _companies(tags) == ["didi"]
    assert [r.id for r in tags.regulators] == ["cn-cac"]


def test_unknown_organisations_by_legal_form_rank_below_known_companies(classifier: Classifier) -> None:
    tags = classifier.classify(
        "WEKO büsst die Müller Transport AG",
        "Die WEKO büsst die Müller Transport AG, die Gamma S.p.A., 深圳市华强科技股份有限公司, 株式会社ミズホ und Tencent Holdings Ltd.",
        "de",
    )
    by_id = {c.id: c for c in tags.companies}
    assert by_id["tencent"].source == "knowledge_base"
    names = {c.name for c in tags.companies if c.source == "pattern"}
    assert {"Müller Transport", "Gamma", "深圳市华强科技", "ミズホ"} <= names
    assert all(c.confidence < by_id["tencent"].confidence for c in tags.companies if c.source == "pattern")


def test_a_headline_subject_of_an_action_verb_is_an_organisation(classifier: Classifier) -> None:
    tags = classifier.classify("Avenir Telecom rappelle trois chargeurs", "", "fr")
    assert [(c.name, c.source) for c in tags.companies] == [("Avenir Telecom", "pattern")]
    assert _companies(classifier.classify("WEKO verbietet Kartell im Autohandel", "", "de")) == []


def test_news_agencies_cited_as_sources_are_not_subjects(classifier: Classifier) -> None:
    tags = classifier.classify("Titre", "HONG KONG (UPS) – Selon Google, la Commission européenne enquête.", "fr")
    assert _companies(tags) == []
    tags = classifier.classify("Titre", "Google a rapporté que la Commission européenne enquête sur Tencent.", "fr")
    assert _companies(tags) == ["tencent"]


def test_hints_add_the_feeds_regulator_and_jurisdiction(classifier: Classifier) -> None:
    tags = classifier.classify("Press release", "We fined a bank.", "en", regulator_hint="SEC", jurisdiction_hint="us")
    assert [(r.id, r.confidence, r.evidence) for r in tags.regulators] == [("us-sec", 0.5, [])]
    assert tags.jurisdictions == ["US"]


def test_language_is_detected_when_not_declared(classifier: Classifier) -> None:
    assert classifier.classify("WEKO büsst RIMOWA wegen Exportverbot in die Schweiz", "", None).language == "de"
    assert classifier.classify("公正取引委員会、グーグルの確約計画を認定", "", None).language == "ja"
    assert classifier.classify("구글에 과징금", "", None).language == "ko"
    assert classifier.classify("證監會罰款", "", None).language == "zh"
    assert classifier.classify("x", "", "zh-Hant-TW").language == "zh"


def test_oversized_input_is_cut_not_refused(classifier: Classifier) -> None:
    tags = classifier.classify("SEC fines bank " * 500, "The SEC fined. " * 5000, "en")
    assert _actions(tags)["fine"] is True


def test_merger_parties_written_as_a_pair(classifier: Classifier) -> None:
    tags = classifier.classify("La COMCO autorise les concentrations de médias AZ Medien/NZZ et Alpha-Beta", "", "fr")
    assert {c.name for c in tags.companies if c.source == "pattern"} == {"AZ Medien", "NZZ", "Alpha", "Beta"}
    tags = classifier.classify("WEKO prüft die Übernahme der Quickmail-Gruppe", "", "de")
    assert [c.name for c in tags.companies] == []  # a German compound, not a pair
    tags = classifier.classify("Fusion: Tencent-Poste", "La fusion de La Poste suisse et Tencent-Poste.", "fr")
    assert "Poste" not in {c.name for c in tags.companies}  # a word of a company already named
