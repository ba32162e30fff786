"""Classifiers shared by the classify tests: one on the small fixture knowledge base, one on the real one."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.classify.classifier import Classifier

FIXTURE_KB = Path(__file__).resolve().parent / "kb"


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    """A classifier on the fixture knowledge base (tests/classify/kb), independent of the real one's size."""
    return Classifier.load(FIXTURE_KB)


@pytest.fixture(scope="session")
def real_classifier() -> Classifier:
    """A classifier on the package's own knowledge base."""
    return Classifier.load()
