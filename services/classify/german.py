"""German forms of names: declined adjectives ("bei der Deutschen Bank"), the genitive -s ("Googles
Werbung") and compounds that start with a body's name ("Kartellamtsentscheidung", "Bundeskartellamts")."""

from __future__ import annotations

import re

_ADJECTIVE = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]{2,}e$")  # Deutsche, Schweizerische, Europäische
_NO_GENITIVE_S = ("s", "x", "z", "ß")
COMPOUND_MIN_LETTERS = 8  # a shorter single word is too often the head of an unrelated compound


def declined(name: str) -> list[str]:
    """The name with its adjectives declined weak (-en: "der Deutschen Bank", "der Europäischen Zentralbank"),
    and a one-word name in the genitive ("Googles", "Volkswagens"); empty when neither applies."""
    words = name.split(" ")
    forms = []
    if len(words) > 1 and any(_ADJECTIVE.match(word) for word in words[:-1]):
        forms.append(" ".join(f"{word}n" if _ADJECTIVE.match(word) else word for word in words))
    if len(words) == 1 and name.isalpha() and name[0].isupper() and not name.endswith(_NO_GENITIVE_S):
        forms.append(f"{name}s")
    return forms


def compound_head(name: str) -> bool:
    """Whether a body's name can start a German compound and keep its meaning ("Kartellamt" in
    "Kartellamtsentscheidung", "Bundesnetzagentur" in "Bundesnetzagenturchef"): one long word."""
    return name.isalpha() and name[0].isupper() and len(name) >= COMPOUND_MIN_LETTERS and not name.isupper()
