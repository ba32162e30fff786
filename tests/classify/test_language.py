"""Language of an item: the model when it is sure, the words (function words, matched triggers) when not."""

from __future__ import annotations

import pytest

from services.classify import language
from services.classify.classifier import Classifier


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("SEC fines Tesla", "en"),
        ("FCA fines Barclays £50m", "en"),
        ("FTC sues Acme", "en"),
        ("ACM beboet KPN", "nl"),
        ("L'Antitrust multa Amazon", "it"),
        ("La CNMV multa a Banco Santander", "es"),
        ("COMCO sanctionne Tencent", "fr"),
        ("BaFin verhängt Bußgeld gegen N26", "de"),
    ],
)
def test_short_headlines_get_the_language_of_their_words(classifier: Classifier, title: str, expected: str) -> None:
    assert classifier.classify(title, "", None).language == expected


def test_the_summary_counts_too(classifier: Classifier) -> None:
    tags = classifier.classify("SEC vs Tesla", "The regulator said on Monday that it had fined the carmaker.", None)
    assert tags.language == "en"


def test_names_alone_give_no_language(classifier: Classifier) -> None:
    assert classifier.classify("SEC Tesla", "", None).language == "und"
    assert classifier.classify("Apple", "", None).language == "und"


def test_a_declared_language_wins(classifier: Classifier) -> None:
    assert classifier.classify("SEC fines Tesla", "", "de").language == "de"


def test_vote_counts_function_words_and_triggers() -> None:
    assert language.vote("the fine of the bank", []) == "en"
    assert language.vote("X beboet Y", ["nl"]) == "nl"
    assert language.vote("la multa a X", ["es", "it", "pt"], "es") == "es"  # a tie the model's answer is part of
    assert language.vote("la multa a X", ["es", "it", "pt"], "ro") == "und"  # a tie without it
    assert language.vote("SEC Tesla", []) == "und"


def test_the_model_answers_only_the_languages_it_is_restricted_to() -> None:
    assert set(language.identifier().labels) == {*language.SUPPORTED, *language.OTHERS}
    assert language.detect("Finansinspektionen har beslutat att ge banken en varning och en straffavgift.") == "sv"
    assert language.detect("Die Finanzaufsicht hat gegen die Bank ein Bußgeld verhängt, teilte sie mit.") == "de"
