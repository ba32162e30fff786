"""Language of an item: the feed's own word when it gives one, else the script, else py3langid, restricted to
the supported languages and a few neighbours (``set_languages``).

A headline alone is too short for the model ("SEC fines Tesla" reads as French to it, one acronym and two
names). When its confidence is low, the words decide: the function words of each language and the
languages whose action triggers the item matched ("fines", "beboet", "multa") vote; the model's own
answer breaks a tie it is part of; with no vote at all the language is ``und``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

SUPPORTED = ("en", "fr", "de", "es", "it", "pt", "nl", "zh", "ja", "ko")
# Languages the model may answer beside the supported ones, so that a Swedish item is not called Dutch.
OTHERS = ("sv", "da", "no", "fi", "pl", "cs", "sk", "ro", "hu", "el", "ru", "uk", "tr", "ca", "id", "ar", "he")
SAMPLE_CHARS = 120  # the model's cost grows with length; a title and a lead decide as well as a page

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*$")
_WORDS = re.compile(r"[^\W\d_]+")
MIN_CONFIDENCE = 0.5  # the model's normalised probability below which the words decide
TRIGGER_WEIGHT = 2  # a matched action trigger counts as much as two function words
# Words that carry no name and no topic, only a language (lower case, as written; a few shared on purpose).
_FUNCTION_WORDS = {
    "en": "the of and to in for with on over after its is are was by from against not does has will into",
    "fr": "le la les des du une et pour sur dans avec contre au aux est sont pas ne l d qu un",
    "de": "der die das und mit für gegen den dem ein eine ist von wegen nach nicht wird auf im zu",
    "es": "el los las del una y para por con contra que al es no se un la",
    "it": "il lo gli della del per con contro che una di non è alla dei le la l un",
    "pt": "o os da do das dos uma para com contra que ao em não é pelo pela um",
    "nl": "de het een van en voor met tegen op is bij niet naar wordt",
}
FUNCTION_WORDS = {lang: frozenset(words.split(" ")) for lang, words in _FUNCTION_WORDS.items()}


@cache
def identifier() -> LanguageIdentifier:
    """py3langid's identifier over the supported languages and the others it may answer, with normalised
    probabilities (loaded once)."""
    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages([*SUPPORTED, *OTHERS])
    return model


def warm_up() -> None:
    """Load the model now (about half a second) rather than on the first item."""
    identifier()


def normalise_tag(tag: str | None) -> str | None:
    """``zh-Hant-TW`` -> ``zh``; None for anything that is not a language tag."""
    if not tag or not _TAG.match(tag.strip()):
        return None
    return tag.strip().split("-")[0].split("_")[0].lower()


def vote(text: str, triggers: Iterable[str], guess: str | None = None) -> str:
    """The language the words of ``text`` and the languages of its matched ``triggers`` point to; ``guess``
    (the model's answer) breaks a tie it is part of; ``und`` without a winner."""
    scores: dict[str, int] = {}
    for word in _WORDS.findall(text.lower()):
        for lang, words in FUNCTION_WORDS.items():
            if word in words:
                scores[lang] = scores.get(lang, 0) + 1
    for lang in triggers:
        scores[lang] = scores.get(lang, 0) + TRIGGER_WEIGHT
    if not scores:
        return "und"
    best = max(scores.values())
    leaders = [lang for lang, score in scores.items() if score == best]
    if len(leaders) == 1:
        return leaders[0]
    return guess if guess in leaders else "und"


def detect(text: str, declared: str | None = None, triggers: Callable[[], Iterable[str]] = tuple) -> str:
    """ISO 639-1 code of ``text``; a declared tag wins; ``und`` when there is nothing to go on. ``triggers``
    gives the languages of the action triggers the item matched, asked for only when the model hesitates."""
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
    language, confidence = identifier().classify(sample)
    if confidence >= MIN_CONFIDENCE:
        return str(language)
    return vote(sample, triggers(), str(language))
