"""The language model walked by compiled code answers what py3langid itself answers, on real text."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from services.classify import language
from services.classify.language_model import LanguageModel, _costs

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


def test_scores_are_py3langids_float32_sums_to_a_millionth() -> None:
    model = language.language_model()
    raw = LanguageIdentifier.from_model_file(MODEL_FILE)  # scores before the softmax
    raw.set_languages(LANGUAGES)
    for sample in _samples()[:200]:
        if sample.isupper():  # the model reads an all-capitals text in lower case; py3langid reads it as given
            sample = sample.lower()
        expected_language, expected_score = raw.classify(sample)
        scores = model.scores(model.features(sample.encode()))
        assert scores[model.languages.index(expected_language)] == pytest.approx(expected_score, rel=1e-6), sample
        assert max(scores) == pytest.approx(expected_score, rel=1e-6), sample


def test_feature_scores_that_are_not_whole_512ths_are_refused() -> None:
    scores = np.array([[-3.0, -2.5], [-14.0, -2.75]], dtype=np.float16)
    assert _costs(scores) == bytes([0, 6, 0, 5, 0, 28, 128, 5])  # 1536, 1280, 7168, 1408 little-endian
    with pytest.raises(ValueError, match="1/512ths"):
        _costs(np.array([[-1e-4]], dtype=np.float16))
    with pytest.raises(ValueError, match="1/512ths"):
        _costs(np.array([[0.5]], dtype=np.float16))


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
