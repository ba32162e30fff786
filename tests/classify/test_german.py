"""German forms of names: declined adjectives, the genitive -s, compounds that start with a body's name."""

from __future__ import annotations

from services.classify.classifier import Classifier
from services.classify.german import compound_head, declined


def test_declined_forms() -> None:
    assert declined("Deutsche Bank") == ["Deutschen Bank"]
    assert declined("Europäische Zentralbank") == ["Europäischen Zentralbank"]
    assert declined("Google") == ["Googles"] and declined("Siemens") == []
    assert declined("Goldman Sachs") == []  # no adjective, more than one word
    assert compound_head("Kartellamt") and not compound_head("BaFin") and not compound_head("WEKO")


def test_german_items_find_inflected_names_and_compounds(real_classifier: Classifier) -> None:
    tags = real_classifier.classify(
        "Kartellamtsentscheidung: Bußgeld", "Bei der Deutschen Bank fand die Aufsicht Mängel in Googles Werbung.", "de"
    )
    assert {c.name for c in tags.companies} == {"Deutsche Bank", "Google"}
    assert [r.evidence[0]["text"] for r in tags.regulators] == ["Kartellamtsentscheidung"]


def test_only_german_items_read_german_forms(real_classifier: Classifier) -> None:
    tags = real_classifier.classify("Kartellamtsentscheidung", "Googles fines.", "en")
    assert tags.companies == [] and tags.regulators == []
