"""Action triggers in ten languages, with inflections, and the rules that void or retype them."""

from __future__ import annotations

import pytest

from services.classify.classifier import Classifier


def _types(classifier: Classifier, title: str, summary: str = "", lang: str | None = None) -> list[str]:
    return sorted(a.type.value for a in classifier.classify(title, summary, lang).actions)


@pytest.mark.parametrize(
    ("lang", "title", "expected"),
    [
        ("fr", "Les autorités convoquent Tencent", "summons"),
        ("fr", "Tencent convoqué par le régulateur", "summons"),
        ("fr", "Onze entreprises convoquées", "summons"),
        ("fr", "Google écope d'une amende de 220 millions d'euros", "fine"),
        ("de", "Kartellamt verhängt Bußgeld gegen Hersteller", "fine"),
        ("de", "Geldbuße für Hersteller", "fine"),
        ("de", "WEKO büsst Hersteller", "fine"),
        ("de", "Rückruf von Deckenleuchten", "recall"),
        ("es", "La CNMC multa a Endesa", "fine"),
        ("es", "La CNMC abre expedientes sancionadores a Endesa", "investigation"),
        ("it", "L'Antitrust avvia un'istruttoria", "investigation"),
        ("it", "Richiamo di lotti di salame", "recall"),
        ("pt", "Cade aprova compra de distribuidoras", "approval"),
        ("nl", "ACM legt boete op aan Apple", "fine"),
        ("en", "SEC sues crypto exchange", "lawsuit"),
        ("en", "FTC opens probe into cloud deals", "investigation"),
        ("en", "Regulator issues cease-and-desist order", "order"),
        ("zh", "证监会处以罚款", "fine"),
        ("zh", "市场监管总局约谈外卖平台", "summons"),
        ("zh", "工信部下架违规APP", "ban"),
        ("zh", "国家网信办启动网络安全审查", "security_assessment"),
        ("ja", "公正取引委員会が課徴金納付命令", "fine"),
        ("ja", "トヨタがリコールを届け出", "recall"),
        ("ko", "공정위, 과징금 부과", "fine"),
        ("ko", "공정위 동의의결 확정", "settlement"),
    ],
)
def test_triggers_in_each_language(classifier: Classifier, lang: str, title: str, expected: str) -> None:
    assert expected in _types(classifier, title, "", lang)


def test_a_stop_phrase_voids_a_trigger(classifier: Classifier) -> None:
    assert _types(classifier, "Bank expands in order to grow", "", "en") == []


def test_a_negation_voids_the_trigger_after_it(classifier: Classifier) -> None:
    assert _types(classifier, "Central bank denies plans to revoke three banks' licences", "", "en") == []


def test_an_application_is_no_approval(classifier: Classifier) -> None:
    assert _types(classifier, "Pfizer submits authorisation application to Swissmedic", "", "en") == []
    assert _types(classifier, "Swissmedic authorises the vaccine", "", "en") == ["approval"]


def test_a_banned_merger_is_a_rejection(classifier: Classifier) -> None:
    assert _types(classifier, "WEKO verbietet Übernahme von Quickmail", "", "de") == ["rejection"]
    assert _types(classifier, "WEKO verbietet Kartell", "", "de") == ["ban"]


def test_a_refusal_that_blocks_no_merger_is_no_rejection(classifier: Classifier) -> None:
    assert _types(classifier, "UPC refused to license the rights", "", "en") == []


def test_closing_a_case_is_other_and_no_investigation(classifier: Classifier) -> None:
    assert _types(classifier, "COMCO: Discontinuance of the investigation against Novartis", "", "en") == ["other"]


def test_closing_a_case_with_a_fine_is_the_fine(classifier: Classifier) -> None:
    summary = "Mit diesem Entscheid schliesst die WEKO die Untersuchung ab und büsst die Firma."
    assert _types(classifier, "WEKO büsst Ford Credit", summary, "de") == ["fine"]


def test_a_trigger_qualifying_guidance_is_guidance(classifier: Classifier) -> None:
    assert _types(classifier, "ICO publishes new fining guidance", "", "en") == ["guidance"]


def test_approving_a_rule_or_a_settlement_is_that_action(classifier: Classifier) -> None:
    assert _types(classifier, "The Federal Council approved the amended ordinances", "", "en") == ["final_rule"]
    assert _types(classifier, "La COMCO approuve un accord à l'amiable avec Lloyds", "", "fr") == ["settlement"]


def test_a_proposal_is_no_final_rule(classifier: Classifier) -> None:
    assert _types(classifier, "Le Conseil fédéral met en consultation un projet d'ordonnance", "", "fr") == [
        "rule_proposal"
    ]


def test_the_name_of_a_law_is_no_ban(classifier: Classifier) -> None:
    assert _types(classifier, "公正取引委員会、独占禁止法違反で調査", "", "ja") == ["investigation"]


def test_what_an_investigation_or_a_proposal_is_about_is_no_action(classifier: Classifier) -> None:
    summary = "Die WEKO hat eine Untersuchung eröffnet; Gegenstand ist ein mögliches Verbot des Online-Handels."
    assert _types(classifier, "WEKO eröffnet Untersuchung", summary, "de") == ["investigation"]
    assert _types(classifier, "La COMCO indaga su possibili accordi nel mercato dei profumi", "", "it") == [
        "investigation"
    ]
    title = "Le Conseil fédéral met en consultation la levée de l'interdiction pour PostFinance"
    assert _types(classifier, title, "", "fr") == ["rule_proposal"]
    title = "The FTC opened an investigation into whether Zyxwv ordered its dealers to fix prices"
    assert _types(classifier, title, "", "en") == ["investigation"]


def test_a_numbered_text_in_force_is_no_new_rule(classifier: Classifier) -> None:
    assert _types(classifier, "Medicine can be used under COVID-19 Ordinance 3", "", "en") == []
    assert _types(classifier, "Federal Council adopts the ordinances", "", "en") == ["final_rule"]


def test_international_sanctions_are_no_fine(classifier: Classifier) -> None:
    assert "fine" not in _types(classifier, "EU verlängert Sanktionen gegen Russland", "", "de")
    assert "fine" not in _types(classifier, "L'UE proroga le sanzioni contro la Russia", "", "it")
    assert _types(classifier, "WEKO sanktioniert Swisscom", "", "de") == ["fine"]


def test_a_profit_warning_is_no_regulatory_warning(classifier: Classifier) -> None:
    assert _types(classifier, "Carmaker issues profit warning as sales slow", "", "en") == []
    assert _types(classifier, "SEC warns investors about crypto schemes", "", "en") == ["warning"]


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("en", "SEC charges Goldman Sachs with fraud"),
        ("en", "Regulator charged two executives over the collapse"),
        ("en", "FTC files suit to block the merger"),
        ("en", "Prosecutors indict the former chief executive"),
        ("en", "The watchdog sued the lender on Tuesday"),
        ("fr", "La SEC accuse la société de fraude"),
        ("fr", "L'autorité assigne la banque en justice"),
        ("de", "Die Aufsicht verklagt den Konzern"),
        ("de", "Staatsanwaltschaft erhebt Anklage gegen Manager"),
        ("es", "La CNMV presentó cargos contra el banco"),
        ("es", "El regulador demandó a la empresa"),
        ("it", "La Consob cita in giudizio la società"),
        ("pt", "A CVM processou a empresa"),
        ("nl", "De toezichthouder klaagt het bedrijf aan"),
        ("zh", "美国证交会指控该公司欺诈"),
        ("ja", "証券取引委員会が同社を提訴"),
        ("ko", "금융당국이 회사를 고소"),
    ],
)
def test_charges_and_suits_are_lawsuits(classifier: Classifier, lang: str, title: str) -> None:
    assert "lawsuit" in _types(classifier, title, "", lang)


@pytest.mark.parametrize(
    "title",
    [
        "Bank charges rise for savers",
        "Card charges fall as competition grows",
        "Service is free of charge for customers",
        "The lender charged customers hidden fees",
    ],
)
def test_charges_that_are_fees_are_no_lawsuit(classifier: Classifier, title: str) -> None:
    assert "lawsuit" not in _types(classifier, title, "", "en")


def test_settled_charges_are_a_settlement(classifier: Classifier) -> None:
    assert _types(classifier, "Acme settles SEC charges", "", "en") == ["settlement"]
    assert _types(classifier, "Bank agreed to settle fraud charges", "", "en") == ["settlement"]


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("en", "SEC does not plan to fine Tesla"),
        ("en", "Regulator has no plans to revoke the bank's licence"),
        ("en", "Central bank rejected reports that it would revoke licences"),
        ("en", "Watchdog denies it will ban the app"),
        ("fr", "La CNIL n'envisage pas de sanctionner Google"),
        ("fr", "L'AMF dément avoir infligé une amende"),
        ("de", "Die BaFin dementiert, dass sie N26 ein Bußgeld auferlegt"),
        ("de", "Die Behörde plant keine Strafe gegen den Konzern"),
        ("es", "La CNMV no planea multar a Santander"),
        ("it", "La Consob non intende sanzionare la banca"),
        ("pt", "A CVM não pretende multar a empresa"),
        ("nl", "De AFM is niet van plan het bedrijf te beboeten"),
        ("zh", "证监会否认对该公司罚款"),
        ("ja", "金融庁は同社に業務停止命令を出す予定はない"),
        ("ko", "공정위는 과징금을 부과할 계획이 없다"),
    ],
)
def test_denied_or_unintended_actions_are_dropped(classifier: Classifier, lang: str, title: str) -> None:
    assert _types(classifier, title, "", lang) == []


def test_a_denial_far_from_the_action_or_of_the_conduct_leaves_the_action(classifier: Classifier) -> None:
    assert _types(classifier, "Acme denied wrongdoing but the SEC fined it anyway", "", "en") == ["fine"]
    assert _types(classifier, "Acme denies the charges brought by the SEC", "", "en") == ["lawsuit"]
    assert _types(classifier, "Acme bestreitet die Vorwürfe, die BaFin verhängt ein Bußgeld", "", "de") == ["fine"]
    title = "Tesla, which denied everything in a long statement, agreed to pay a fine to the SEC"
    assert _types(classifier, title, "", "en") == ["fine"]


@pytest.mark.parametrize(
    ("lang", "title", "expected"),
    [
        ("de", "BMW ruft 300.000 Autos wegen Airbag-Mängeln zurück", ["recall"]),
        ("de", "Bundeskartellamt gibt Übernahme von Zyxwv frei", ["approval"]),
        ("de", "Die BaFin ordnet eine Sonderprüfung bei der Zyxwv Bank an", ["order"]),
        ("nl", "Philips roept miljoenen apparaten terug", ["recall"]),
        ("nl", "ACM keurt de overname van Zyxwv goed", ["approval"]),
        ("de", "Die Firma ruft ihre Kunden. Zurück zur Arbeit", []),  # the particle is in another sentence
        ("de", "BMW ruft die Kunden an", []),
    ],
)
def test_a_separable_verb_needs_its_particle_later_in_the_sentence(
    classifier: Classifier, lang: str, title: str, expected: list[str]
) -> None:
    assert _types(classifier, title, "", lang) == expected


def test_a_trigger_in_two_lexicons_is_one_piece_of_evidence(classifier: Classifier) -> None:
    # 警告 and 调查 are in the Chinese and the Japanese lexicons, which both read a Chinese item
    tags = classifier.classify("证监会对某公司予以警告", "证监会决定予以警告，并开展调查。", "zh")
    evidence = {
        action.type.value: [(e["field"], e["start"], e["end"]) for e in action.evidence] for action in tags.actions
    }
    assert evidence["warning"] == [("title", 9, 11), ("summary", 7, 9)]
    assert evidence["investigation"] == [("summary", 13, 15)]
