"""Organisations outside the knowledge base, recognised by their legal form (Inc., AG, S.p.A., 有限公司 ...)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.classify.normalise import fold

_LEGAL_FORMS = (
    r"Inc\.?|Incorporated|Corp\.?|Corporation|Ltd\.?|Limited|LLC|L\.L\.C\.|LLP|PLC|plc|Plc|AG|SA|S\.A\.|SE|NV|N\.V\.|"
    r"BV|B\.V\.|GmbH(?: & Co\.? KG)?|KGaA|KG|S\.p\.A\.|S\.p\.a\.|SpA|S\.r\.l\.|Srl|SRL|SAS|S\.A\.S\.|SARL|S\.à r\.l\.|"
    r"S\.L\.|SL|Oyj|Oy|AB|ASA|A/S|ApS|Co\., Ltd\.?|Pty Ltd|Sagl|Ltda\.?|S\.A\. de C\.V\.|AS|NV/SA"
)
_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’\-]*|[A-Z0-9][A-Z0-9&\-]+|\([A-Z][\w\-]*\))"
_JOINER = r"(?:&|and|und|et|e|y|de|di|du|von|van|der|des|del)"
_LATIN = re.compile(
    rf"(?<![\w.])(?P<name>{_WORD}(?:[ \-](?:{_JOINER} )?{_WORD}){{0,4}})(?:,)? (?P<form>{_LEGAL_FORMS})(?![\w])"
)
_CJK_STOP = "的对與与和及在是被向将由为、，。：；「」“”《》（）() 　"
_CJK = re.compile(
    rf"(?P<name>[^{_CJK_STOP}\d]{{2,10}}?)(?P<form>股份有限公司|有限责任公司|有限責任公司|有限公司|株式会社|\(株\)|（株）)"
    rf"|(?P<prefix>株式会社|\(株\)|（株）|주식회사|\(주\)|（주）) ?(?P<after>[^{_CJK_STOP}\d]{{2,12}})"
)
# Capitalised words that start a sentence or a name phrase but are not part of the name.
_LEADING = frozenset(
    "the a an die der das den dem des ein eine la le les l' el los las il lo gli un une una de het een "
    "am im in an auf bei von for from with against gegen contre contra contro tegen avec mit con".split()
)
CONFIDENCE = 0.6


@dataclass(frozen=True)
class Organisation:
    """An organisation found by its legal form: the name without the form, and its span in the text."""

    name: str
    start: int
    end: int

    @property
    def id(self) -> str:
        """A stable id derived from the folded name."""
        return "org:" + re.sub(r"[^\w]+", "-", fold(self.name)).strip("-")


def _trim(name: str, start: int) -> tuple[str, int]:
    words = name.split(" ")
    while words and fold(words[0]) in _LEADING:
        start += len(words[0]) + 1
        words = words[1:]
    return " ".join(words), start


def find_organisations(text: str) -> list[Organisation]:
    """Organisations named with a legal form, in text order."""
    found: list[Organisation] = []
    for match in _LATIN.finditer(text):
        name, start = _trim(match.group("name"), match.start("name"))
        if name and any(ch.isalpha() for ch in name):
            found.append(Organisation(name, start, match.end()))
    for match in _CJK.finditer(text):
        name = match.group("name") or match.group("after") or ""
        if len(name) >= 2:
            found.append(Organisation(name.strip(), match.start(), match.end()))
    return found
