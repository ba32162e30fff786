"""The parties of a merger that the knowledge base does not know, named in a sentence about a merger:
written as a pair ("Sunrise-UPC", "AZ Medien/NZZ") or after the prepositions that name the target and the
acquirer ("l'acquisition de Sunrise par Liberty Global", "the takeover of Quickmail by Swiss Post", "a
compra, pela Termogás, de ...")."""

from __future__ import annotations

import re

from services.classify.normalise import fold
from services.classify.orgs import CAPITALISED, CAPITALISED_WORD, NOT_NAMES, Organisation, is_generic, parts

_PAIR_NAME = rf"{CAPITALISED_WORD}(?: {CAPITALISED_WORD})?"
_PAIR = re.compile(rf"(?<![\w'’])(?P<a>{_PAIR_NAME}) ?[/–-] ?(?P<b>{_PAIR_NAME})")


def merger_parties(
    text: str, windows: list[tuple[int, int]], lang: str, bodies: list[tuple[int, int]]
) -> list[Organisation]:
    """The parties of a merger written as a pair, "Sunrise-UPC", "AZ Medien/NZZ", "Poste-Quickmail", within
        the given windows of text (the sentences that speak of a merger). German writes compounds of capitalised
        nouns with a hyphen (Quickmail-Gruppe), so there only a slash makes a pair. A pair with a public body
    (``bodies``: the spans of the regulators named) is a body and its unit ("SG/Cade"), not a merger."""
    found: list[Organisation] = []
    for start, end in windows:
        for pair in _PAIR.finditer(text, start, end):
            if lang == "de" and "/" not in pair.group():
                continue
            if any(start < pair.end() and pair.start() < end for start, end in bodies):
                continue
            for group in ("a", "b"):
                name = pair.group(group)
                if (
                    fold(name.split(" ")[0]) not in NOT_NAMES
                    and not any(ch.isdigit() for ch in name)
                    and not (is_generic(name))
                ):
                    found.append(Organisation(name, pair.start(group), pair.end(group)))
    return found


# What names the target ("of") and the acquirer ("by") of a merger, with the articles that may follow.
_PREPOSITIONS = {
    "en": ("of|by", "the "),
    "fr": ("de|du|d'|d’|par", "la |le |l'|l’|les "),
    "es": ("de|del|por", "la |el |los |las "),
    "it": ("di|del|della|dell'|da parte di|da", "la |il |lo |l'|gli "),
    "pt": ("de|da|do|por|pela|pelo", "a |o "),
    "nl": ("van|door", "het |de "),
}
_PARTY = {
    lang: re.compile(rf"(?<![\w'’])(?:{preps}) (?:{articles})?(?P<name>{CAPITALISED.pattern})")
    for lang, (preps, articles) in _PREPOSITIONS.items()
}
# German capitalises every noun: only "von X durch Y", both without an article, names two parties.
_GERMAN_PARTIES = re.compile(rf"\bvon (?P<a>{CAPITALISED_WORD}) durch (?P<b>{CAPITALISED_WORD})")
_PARTY_WINDOW = 80  # characters after the merger word that may name its parties


def merger_prepositions(text: str, cues: list[tuple[int, int]], lang: str) -> list[Organisation]:
    """Capitalised names after the prepositions of a merger's target and acquirer, within
    :data:`_PARTY_WINDOW` characters after each merger word (``cues``: (end, sentence end) offsets)."""
    found: list[Organisation] = []
    for start, end in cues:
        stop = min(end, start + _PARTY_WINDOW)
        if lang == "de":
            for pair in _GERMAN_PARTIES.finditer(text, start, stop):
                found += parts(pair.group("a"), pair.start("a")) + parts(pair.group("b"), pair.start("b"))
        elif lang in _PARTY:
            for party in _PARTY[lang].finditer(text, start, stop):
                found += parts(party.group("name"), party.start("name"))
    return found
