"""The main amount of a decision, in every language: forms of numbers, scales and currencies, and what is
not the decision's amount (conversions, deal values, sales, maxima, sums sought, cases of years ago)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from services.classify.amounts import extract_amount, parse_number
from services.classify.classifier import Classifier
from tests.conftest import shared_path

FORMS = [
    ("en", "SEC fines Acme $20 million", "", [], "20000000", "USD"),
    ("de", "Kartellamt verhängt Bußgeld", "Die Strafe beträgt €4,34 Mrd.", ["EU"], "4340000000", "EUR"),
    ("fr", "Amende de 150 millions d'euros pour Google", "", ["FR"], "150000000", "EUR"),
    ("es", "La CNMC impone una multa de 1.200 millones de euros", "", ["ES"], "1200000000", "EUR"),
    ("zh", "市场监管总局对某公司罚款7.5亿元", "", ["CN"], "750000000", "CNY"),
    ("ja", "公取委、課徴金3億円を命令", "", ["JP"], "300000000", "JPY"),
    ("ko", "공정위, 과징금 1조 원 부과", "", ["KR"], "1000000000000", "KRW"),
    ("ko", "공정위, 과징금 1조 2000억 원 부과", "", ["KR"], "1200000000000", "KRW"),
    ("en", "FCA fines bank £7.5m", "", ["GB"], "7500000", "GBP"),
    ("it", "L'Antitrust multa Amazon per 1,128 miliardi di euro", "", ["IT"], "1128000000", "EUR"),
    ("ca", "Itàlia sanciona Amazon amb 1.128 milions d'euros", "", [], "1128000000", "EUR"),
    ("it", "Sanzione di 1.128.596.156,33 euro", "", [], "1128596156.33", "EUR"),
    ("en", "ICO fines Marriott £99,200,396", "", [], "99200396", "GBP"),
    ("pt", "Multa de US$ 2,8 bilhões ao Alibaba", "", ["CN"], "2800000000", "USD"),
    ("ro", "Amendă de 6,45 miliarde de euro pentru Gazprom", "", ["PL"], "6450000000", "EUR"),
    ("pl", "UOKiK nakłada karę 29 mld zł na Gazprom", "", ["PL"], "29000000000", "PLN"),
    ("de", "WEKO büsst die Post mit 22.6 Millionen Franken", "", ["CH"], "22600000", "CHF"),
    ("fr", "La COMCO sanctionne Bucher d'une amende de CHF 150'000.-", "", ["CH"], "150000", "CHF"),
    ("fr", "Une sanction de 104 000 francs", "", ["CH"], "104000", "CHF"),
    ("en", "RBI fines bank Rs 5.39 crore", "", ["IN"], "53900000", "INR"),
    ("hi", "आरबीआई ने बैंक पर ₹2 करोड़ का जुर्माना लगाया", "", ["IN"], "20000000", "INR"),
    ("en", "ACCC: Qantas to pay $120m", "", ["AU"], "120000000", "AUD"),
    ("en", "Regulator fines firm ¥500 million", "", ["CN"], "500000000", "CNY"),
    ("en", "Regulator fines firm ¥500 million", "", ["JP"], "500000000", "JPY"),
    ("nl", "ACM legt Apple boete op van 50 miljoen euro", "", ["NL"], "50000000", "EUR"),
    ("sv", "Finansinspektionen ger banken böter på 4 miljarder kronor", "", ["SE"], "4000000000", "SEK"),
    ("en", "Alibaba must pay 18.228 billion yuan", "", [], "18228000000", "CNY"),
    ("zh", "上海市场监管局开出116.86万元罚单", "", ["CN"], "1168600", "CNY"),
    ("it", "L'Antitrust multa Amazon e Apple per 200 milioni", "", ["IT"], "200000000", "EUR"),  # the country's
]


@pytest.mark.parametrize(("lang", "title", "summary", "jurisdictions", "value", "currency"), FORMS)
def test_amount_forms_in_every_language(
    lang: str, title: str, summary: str, jurisdictions: list[str], value: str, currency: str
) -> None:
    amount = extract_amount(title, summary, lang=lang, jurisdictions=jurisdictions)
    assert amount is not None
    assert (amount.value, amount.currency) == (Decimal(value), currency)
    text = title if amount.field == "title" else summary
    assert text[amount.start : amount.end] == amount.text


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [("1.128.596.156,33", "it", "1128596156.33"), ("99,200,396", "en", "99200396"), ("1,128", "it", "1.128"),
     ("1,128", "en", "1128"), ("1.128", "ca", "1128"), ("18.228", "en", "18.228"), ("4,34", "de", "4.34"),
     ("150'000", "de", "150000"), ("104 000", "fr", "104000"), ("6,45", None, "6.45")],
)  # fmt: skip
def test_numbers_follow_the_languages_decimal_mark(text: str, lang: str | None, value: str) -> None:
    assert parse_number(text, lang) == Decimal(value)


@pytest.mark.parametrize(
    ("title", "summary", "jurisdictions"),
    [
        ("Tesla stock slides after SEC charges", "Musk tweeted about going private at $420 a share.", ["US"]),
        ("CMA blocks Microsoft's £68.7bn bid for Activision", "The regulator fined nobody.", ["GB"]),
        ("ACCC chief wants record $250m-plus penalty for Qantas", "", ["AU"]),
        ("Gazprom sanctioned", "Two years ago the Commission had fined Google €4.3 billion.", ["PL"]),
        ("Polski urząd karze Gazprom", "Dwa lata temu Komisja Europejska ukarała Google 4,3 mld euro.", ["PL"]),
        ("Tesla recalls 2 million cars", "The NHTSA closed its probe.", ["US"]),
        ("구글·애플에 과징금 최대 680억원", "", ["KR"]),
        ("FCA bans adviser", "The firm reported sales of £5 million last year.", ["GB"]),
        ("RBI stops bank onboarding", "In October 2021 the RBI had fined the bank Rs 1 crore.", ["IN"]),
    ],
)
def test_what_is_not_the_decisions_amount(title: str, summary: str, jurisdictions: list[str]) -> None:
    assert extract_amount(title, summary, lang=None, jurisdictions=jurisdictions) is None


def test_a_conversion_in_brackets_is_not_the_amount() -> None:
    amount = extract_amount("Alibaba fined", "Alibaba must pay 18.228 billion yuan (about 2.79 billion U.S. dollars).")
    assert amount is not None and (amount.value, amount.currency) == (Decimal("18228000000"), "CNY")


def test_the_leads_precise_restatement_of_the_headline_wins() -> None:
    amount = extract_amount("BA's £183m fine", "The ICO intends to fine British Airways £183.39 million.", lang="en")
    assert amount is not None and amount.value == Decimal("183390000") and amount.field == "summary"


def test_a_headline_total_beats_its_parts() -> None:
    title = "Accordo Apple-Amazon, multe per oltre 200 milioni"
    summary = "68,7 milioni di multa al gruppo Amazon e 134,5 milioni al gruppo Apple."
    amount = extract_amount(title, summary, lang="it", jurisdictions=["IT"])
    assert amount is not None and (amount.value, amount.currency) == (Decimal("200000000"), "EUR")


def test_the_largest_of_a_list_when_no_total_is_stated() -> None:
    summary = "L'AGCM sanziona: 68,7 milioni di euro alle società Amazon e 134,5 milioni a quelle Apple."
    amount = extract_amount("AGCM sanziona Apple e Amazon", summary, lang="it", jurisdictions=["IT"])
    assert amount is not None and amount.value == Decimal("134500000")


def test_the_regulators_currency_over_a_foreign_headline() -> None:
    summary = "UOKiK fined Gazprom more than 29 billion zlotys, and 234 million zlotys across five partners."
    amount = extract_amount("Gazprom to appeal $7.6 bln Polish fine", summary, lang="en", jurisdictions=["PL"])
    assert amount is not None and (amount.value, amount.currency) == (Decimal("29000000000"), "PLN")


def test_no_currency_and_no_jurisdiction_is_no_amount() -> None:
    assert extract_amount("Regulator fines firm 200 million", "", lang="en") is None


def test_the_classifier_tags_the_amount_with_its_evidence(real_classifier: Classifier) -> None:
    tags = real_classifier.classify("CNIL inflige une amende de 150 millions d'euros à Google", "", None)
    assert tags.model_dump(mode="json")["amount"] == {
        "value": 150000000, "currency": "EUR",
        "evidence": {"text": "150 millions d'euros", "field": "title", "start": 27, "end": 47},
    }  # fmt: skip
    assert real_classifier.classify("CNIL warns Google", "", None).amount is None


def test_amounts_on_the_stories_dev_set(real_classifier: Classifier) -> None:
    """≥ 90 % exactly right (value and currency) where the item states one, ≤ 5 % invented where not."""
    right = stated = invented = unstated = 0
    for line in shared_path("data", "stories-dev.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        amount = real_classifier.classify(item["title"], item["summary"], None).amount
        if item["amount"] is None:
            unstated += 1
            invented += amount is not None
            continue
        stated += 1
        gold = (Decimal(str(item["amount"]["value"])), item["amount"]["currency"])
        right += amount is not None and (amount.value, amount.currency) == gold
    assert right >= 0.9 * stated
    assert invented <= 0.05 * unstated
