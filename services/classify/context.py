"""What the words around a hit say about it: a source cited, a dateline, a common word, a sentence start.

Pure functions of one :class:`~services.classify.fields.Found` hit and its field's text; the entity rules
(``entities.py``) decide with them.
"""

from __future__ import annotations

import re
from functools import cache

from services.classify.automaton import script_of
from services.classify.fields import Found
from services.classify.normalise import fold

CHANNEL_BEFORE = re.compile(r"(?:\b(?:on|sur|via|auf|su|en|em|op|over) +|在|通过|透过|で) *$")
NUMBER_AFTER = re.compile(r"^(?:[ \u00a0]?|-(?:\w+-)?)\d")  # CAC 40, CAC-40, SARS-CoV-2: names of things
PREFIX_AFTER = re.compile(r"^-\w")
# A company cited as the source of the news is no subject of it: "selon Bloomberg", "HONG KONG (AP)".
SOURCE_BEFORE = re.compile(
    r"(?:according to|selon|d apres|laut|gemass|secondo|segun|segundo|volgens|reported by|rapporte par|cited by)"
    r" +(?:the |le |la |l |die |der |el |il |o |a |de )?$|(?:据|据|によると) *$"
)
SOURCE_CUE = re.compile("accord|selon|apres|laut|gemass|secondo|segun|volgens|report|rapport|cited|据|によると")
_SOURCE_AFTER_WORDS = (
    "reported", "reports", "a rapporte", "rapporte", "berichtet", "berichtete", "meldet", "meldete", "riporta",
    "riportava", "informo", "informa", "reporto", "relata", "meldt", "报道", "報道", "보도",
)  # fmt: skip
SOURCE_AFTER = re.compile(f" ?(?:{'|'.join(_SOURCE_AFTER_WORDS)})")
# A hit followed by none of their first letters (after one space) is not cited: the regex need not run.
_SOURCE_AFTER_FIRST = frozenset(word[0] for word in _SOURCE_AFTER_WORDS)
CJK_SEPARATORS = frozenset(" \t\n、，。：；！？「」『』“”‘’《》（）()[]【】·…-—等和与與及的在对對向被将將由为為了公集")


def after(hit: Found) -> str:
    """The dozen original characters after a hit."""
    end = hit.field.text.to_original(hit.end)
    return hit.field.text.original[end : end + 12]


def before(hit: Found) -> str:
    """The eight folded characters before a hit."""
    return hit.field.text.text[max(0, hit.start - 8) : hit.start]


def sentence_initial(hit: Found) -> bool:
    """Whether a hit opens its sentence or a headline's segment (after quotes, brackets, "ESTI – ")."""
    start = hit.field.text.to_original(hit.start)
    before = hit.field.text.original[:start].rstrip(" \"'«“‘(")
    return not before or before[-1] in ".!?:\n–—|" or before.endswith(" -")


def common_word(hit: Found) -> bool:
    """A lower-case form of a capitalised name: the word, not the name (réunion, china, turkey, jersey)."""
    text = hit.text
    return text.islower() and not hit.alias.islower() and any(ch.isalpha() and ch.isascii() for ch in text)


@cache
def alias_key(alias: str) -> str:
    """The folded form of a knowledge-base alias. Aliases are a bounded set, so each is folded once and kept;
    text of an item (unbounded) is folded with :func:`fold` instead."""
    return fold(alias)


def cited_as_source(hit: Found) -> bool:
    """Whether the text cites the hit as its source ("selon Bloomberg", "Reuters reported", a dateline)."""
    folded = hit.field.text.text
    before = folded[max(0, hit.start - 30) : hit.start]
    if SOURCE_CUE.search(before) and SOURCE_BEFORE.search(before):
        return True
    following = folded[hit.end : hit.end + 2]
    if any(ch in _SOURCE_AFTER_FIRST for ch in following) and SOURCE_AFTER.match(folded, hit.end):
        return True
    return in_dateline(hit)


def in_dateline(hit: Found) -> bool:
    """The agency of a dateline: "HONG KONG (AP) –", "BERLIN (dpa) -"."""
    if hit.start == 0 or hit.field.text.text[hit.start - 1] != " ":
        return False  # "(" folds to a space, one for one
    start, end = hit.field.text.span(hit.start, hit.end)
    original = hit.field.text.original
    if start == 0 or original[start - 1] != "(":
        return False
    place = original[: max(start - 1, 0)].rsplit("\n", 1)[-1].strip()
    return (
        original[start - 1 : start] == "(" and original[end : end + 1] == ")"
        and 0 < len(place) <= 40 and place.isupper()
    )  # fmt: skip


def cjk_word_ok(hit: Found) -> bool:
    """A two-character CJK name needs a separator on one side: 约谈京东、美团 yes, 广东风华 (东风) no."""
    folded = hit.field.text.text
    if hit.end - hit.start > 2 or script_of(folded[hit.start]) != "c":
        return True
    before = folded[hit.start - 1] if hit.start > 0 else " "
    after = folded[hit.end] if hit.end < len(folded) else " "
    return before in CJK_SEPARATORS or after in CJK_SEPARATORS
