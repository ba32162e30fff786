"""The language model walked by compiled code answers what py3langid itself answers, on real text."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from services.classify import language
from services.classify.language_model import LanguageModel

HELDOUT = Path(__file__).resolve().parent / "data" / "heldout.jsonl"
LANGUAGES = [*language.SUPPORTED, *language.OTHERS]


@cache
def _reference() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


def _samples() -> list[str]:
    """Titles, leads, the classifier's sample, an upper-case copy and a slice from the middle, per item."""
    samples = []
    for line in HELDOUT.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = f"{row['title']}\n{row['summary']}"
        samples += [row["title"], text[: language.SAMPLE_CHARS], text.upper()[:80], text[40:200], text[:25]]
    return samples


def test_it_answers_what_py3langid_answers_on_the_heldout_items() -> None:
    model = language.language_model()
    samples = _samples()
    assert len(samples) >= 400
    for sample in samples:
        expected_language, expected_confidence = _reference().classify(sample)
        found_language, found_confidence = model.classify(sample)
        assert found_language == expected_language, sample
        assert found_confidence == pytest.approx(expected_confidence, abs=1e-5), sample


def test_text_without_features_gets_the_uniform_answer() -> None:
    model = language.language_model()
    assert model.features(b"") == {}
    found_language, found_confidence = model.classify("")
    expected_language, expected_confidence = _reference().classify("")
    assert found_language == expected_language
    assert found_confidence == pytest.approx(expected_confidence)


def test_languages_the_model_lacks_are_refused() -> None:
    with pytest.raises(ValueError, match="xx"):
        LanguageModel(["en", "xx"])


def test_counts_beyond_the_log_table_score_as_py3langid_scores_them() -> None:
    model = language.language_model()
    text = "la la la " * 500  # thousands of occurrences of the same features
    assert max(model.features(text.encode()).values()) > 1024
    expected_language, expected_confidence = _reference().classify(text)
    found_language, found_confidence = model.classify(text)
    assert found_language == expected_language
    assert found_confidence == pytest.approx(expected_confidence, abs=1e-5)
