"""Language of an item: the feed's own word when it gives one, else the script, else py3langid's model."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

SUPPORTED = ("en", "fr", "de", "es", "it", "pt", "nl", "zh", "ja", "ko")
# Languages the model may answer beside the supported ones, so that a Swedish item is not called Dutch.
OTHERS = ("sv", "da", "no", "fi", "pl", "cs", "sk", "ro", "hu", "el", "ru", "uk", "tr", "ca", "id", "ar", "he")
SAMPLE_CHARS = 120  # the model's cost grows with length; a title and a lead decide as well as a page

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*$")


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    identifier.set_languages([*SUPPORTED, *OTHERS])
    return identifier


def warm_up() -> None:
    """Load the model now (about half a second) rather than on the first item."""
    _identifier()


def normalise_tag(tag: str | None) -> str | None:
    """``zh-Hant-TW`` -> ``zh``; None for anything that is not a language tag."""
    if not tag or not _TAG.match(tag.strip()):
        return None
    return tag.strip().split("-")[0].split("_")[0].lower()


def detect(text: str, declared: str | None = None) -> str:
    """ISO 639-1 code of ``text``; a declared tag wins; ``und`` when there is nothing to go on."""
    tag = normalise_tag(declared)
    if tag:
        return tag
    sample = text[:SAMPLE_CHARS]
    if _HANGUL.search(sample):
        return "ko"
    if _KANA.search(sample):
        return "ja"
    han = len(_HAN.findall(sample))
    if han >= 2 and han * 3 >= sum(ch.isalpha() for ch in sample):
        return "zh"
    if not any(ch.isalpha() for ch in sample):
        return "und"
    language, _score = _identifier().classify(sample)
    return str(language)
