"""The main monetary amount of a decision: text in, value and ISO 4217 currency with the words that state
it out, in every language RegAlerts reads ("$20 million", "€4,34 Mrd.", "150 millions d'euros",
"1.200 millones de euros", "7.5亿元", "3億円", "1조 원", "£7.5m").

The main amount is the headline's when the lead restates it or states nothing larger in its currency
(the most precise wording of it wins: "£183.39 million" over "£183m"), else the lead's largest in the
regulator's currency. Conversions in brackets, deal values, sales, maxima, sums sought and cases of years
ago are not amounts of the decision; an item that speaks of no penalty or payment has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

from services.classify import money_words as words

FieldName = Literal["title", "summary"]
SAME_AMOUNT: Final = Decimal("0.01")  # a restatement within 1 % ("£183m" and "£183.39 million")
_CONTEXT: Final = 80  # characters read before an amount for what it is not


def _alternation(options: Iterable[str]) -> str:
    return "|".join(re.escape(option) for option in sorted(options, key=len, reverse=True))


_SUFFIX_OF: Final = {form: code for code, forms in words.SUFFIXES.items() for form in forms}
_NUMBER: Final = r"\d{1,3}(?:[.,'’\u00a0\u202f ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_CJK: Final = rf"(?:(?:{_NUMBER})\s?(?:{_alternation(words.CJK_UNITS)})\s?)+(?:\d+(?![\d.,]))?"
_CJK_UNIT: Final = re.compile(rf"({_NUMBER})\s?({_alternation(words.CJK_UNITS)})\s?")  # one term of a CJK amount
_LATIN_END: Final = r"(?![A-Za-z\u00c0-\u024f])"  # a Latin word ends here: "m" in "£7.5m", not in "5 miles"
_MONEY: Final = re.compile(
    rf"(?:(?<![^\W\d_])(?P<prefix>{_alternation(words.PREFIXES)})\s?)?"
    rf"(?<![\d.,])(?:(?P<cjk>{_CJK})|(?P<number>{_NUMBER})(?:[\s-]?(?P<scale>{_alternation(words.SCALES)}){_LATIN_END})?)"
    rf"(?:\s?{words.CONNECTOR}(?P<suffix>{_alternation(_SUFFIX_OF)}){_LATIN_END})?",
    re.IGNORECASE,
)
_DIGIT: Final = re.compile(r"\d")
# Every amount holds a digit, at most a prefix and a space after its start.
_PREFIX_REACH: Final = max(map(len, words.PREFIXES)) + 1
_BOUNDARY: Final = re.compile(r"[.;:!?。；！？](?:\s|$)|[;；。，、：]|(?<=[\u3000-\u9fff])\s")
_LIST_GAP: Final = 40  # at most this many characters between two amounts of a list
_CONVERSION: Final = re.compile(r"\(\s*(?:[^\W\d_]+\s+){0,2}$")


@dataclass(frozen=True)
class Amount:
    """A stated amount: exact value, ISO 4217 currency, and the words that state it (field and offsets)."""

    value: Decimal
    currency: str
    text: str
    field: FieldName
    start: int
    end: int
    digits: int = 0  # significant digits as written: the more, the more precise the wording
    inferred: bool = False  # no currency written: the item's or the jurisdiction's


def parse_number(text: str, lang: str | None) -> Decimal:
    """A written number as a Decimal: "1.128.596.156,33", "99,200,396", "1,128" (Italian: 1.128)."""
    text = re.sub(r"[\s'’\u00a0\u202f]", "", text)
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
    elif commas + dots == 1:
        mark = "," if commas else "."
        three = len(text) - text.index(mark) - 1 == 3
        comma_decimal = (lang or "en")[:2] in words.COMMA_DECIMAL
        decimal_mark = mark if not three or (mark == ",") == comma_decimal else ""
    else:
        decimal_mark = ""
    thousands = {",": ".", ".": ",", "": ",."}[decimal_mark]
    for mark in thousands:
        text = text.replace(mark, "")
    return Decimal(text.replace(",", "."))


def _cjk_value(text: str, lang: str | None) -> Decimal:
    """ "1조 2000억" → 1.2 × 10^12; "116.86万" → 1,168,600."""
    total, rest = Decimal(0), text
    while match := _CJK_UNIT.match(rest):
        total += parse_number(match[1], lang) * Decimal(10) ** words.CJK_UNITS[match[2]]
        rest = rest[match.end() :]
    return total + (parse_number(rest, lang) if rest.strip() else 0)


def _currency(prefix: str | None, suffix: str | None, local: str | None) -> str | None:
    code = words.PREFIXES.get(prefix or "") or words.PREFIXES.get((prefix or "").upper())
    code = code or (_SUFFIX_OF.get(suffix.lower()) if suffix else None)
    if code == "$":
        return local if local in words.DOLLAR_BY else "USD"
    if code == "¥":
        return "CNY" if local == "CNY" else "JPY"
    return code


def _digits(number: str) -> int:
    return len(re.sub(r"\D", "", number).strip("0") or "0")


def _candidate(match: re.Match[str], field: FieldName, lang: str | None, local: str | None) -> Amount | None:
    """One written amount, or None when it is a bare number (neither currency nor scale)."""
    currency = _currency(match["prefix"], match["suffix"], local)
    if match["cjk"]:
        value, digits = _cjk_value(match["cjk"], lang), _digits(match["cjk"])
    else:
        scale = (match["scale"] or "").lower()
        if not currency and not scale:
            return None
        exponent = 12 if scale == "billion" and (lang or "")[:2] in words.LONG_SCALE else words.SCALES.get(scale, 0)
        value, digits = parse_number(match["number"], lang) * Decimal(10) ** exponent, _digits(match["number"])
    if value <= 0:
        return None
    value = Decimal(format(value.normalize(), "f"))
    start, end = match.start(), match.end()
    return Amount(value, currency or "", match[0], field, start, end, digits, inferred=not currency)


def _excluded(text: str, start: int, end: int, previous_end: int) -> bool:
    """Whether the words around an amount say it is not the decision's (see money_words)."""
    window = max(previous_end, start - _CONTEXT)
    # The words since the last boundary in the window (a boundary of two characters may start just before it)
    bounds = [m.end() for m in _BOUNDARY.finditer(text, max(0, window - 1), start)]
    before = text[max(window, bounds[-1] if bounds else 0) : start]
    if previous_end > 0 and _CONVERSION.search(before):
        return True  # "£20m ($26m)": a conversion
    return bool(words.NOT_BEFORE.search(before.lower()) or words.NOT_AFTER.match(text[end : end + 30].lower()))


def _money(text: str) -> Iterator[re.Match[str]]:
    """What ``_MONEY.finditer`` finds, each searched for from just before the next digit: tried at every
    position of a text, the regex would try every prefix there."""
    position = 0
    while digit := _DIGIT.search(text, position):
        match = _MONEY.search(text, max(position, digit.start() - _PREFIX_REACH))
        if match is None:
            return
        yield match
        position = match.end()


def mentions(text: str, field: FieldName, lang: str | None, local: str | None) -> list[Amount]:
    """The amounts written in one field, without those the words around them rule out."""
    found: list[Amount] = []
    previous_end = 0
    for match in _money(text):
        amount = _candidate(match, field, lang, local)
        if amount is None:
            continue
        if _stated(text, amount, previous_end, found) and not _excluded(text, amount.start, amount.end, previous_end):
            found.append(amount)
        previous_end = amount.end
    return found


def _stated(text: str, amount: Amount, previous_end: int, found: list[Amount]) -> bool:
    """An amount with no currency counts only beside a penalty word, or next in a list after a counted one."""
    if not amount.inferred or words.PENALTY.search(text[previous_end : amount.end + 20].lower()):
        return True
    gap = text[previous_end : amount.start]
    listed = bool(found) and found[-1].end == previous_end and len(gap) <= _LIST_GAP
    return listed and bool(words.AND.search(gap.lower()))


def _fill_currency(amounts: list[Amount], local: str | None) -> list[Amount]:
    """Give amounts written without a currency the item's usual one, else the jurisdiction's."""
    written = [a.currency for a in amounts if not a.inferred]
    currency = max(written, key=written.count) if written else local  # the most frequent, the first of a tie
    if currency is None:
        return [a for a in amounts if not a.inferred]
    return [a if not a.inferred else _with_currency(a, currency) for a in amounts]


def _with_currency(amount: Amount, currency: str) -> Amount:
    return Amount(amount.value, currency, amount.text, amount.field, amount.start, amount.end, amount.digits, True)


def _restates(a: Amount, b: Amount) -> bool:
    return a.currency == b.currency and abs(a.value - b.value) <= SAME_AMOUNT * max(a.value, b.value)


def _main(title: Sequence[Amount], summary: Sequence[Amount], local: str | None) -> Amount | None:
    if title:
        head = max(title, key=lambda a: (a.currency == title[0].currency, a.value))
        same = [a for a in summary if _restates(a, head)]
        if same:
            return max([head, *same], key=lambda a: a.digits)
        if all(a.currency == head.currency and a.value < head.value for a in summary):
            return head
    if not summary:
        return None
    currencies = [a.currency for a in summary]
    currency = local if local in currencies else currencies[0]
    return max((a for a in summary if a.currency == currency), key=lambda a: a.value)


def _found(title: str, summary: str, lang: str | None, jurisdictions: Sequence[str]) -> tuple[list[Amount], str | None]:
    local = next((words.CURRENCY_OF[j] for j in jurisdictions if j in words.CURRENCY_OF), None)
    found = [*mentions(title, "title", lang, local), *mentions(summary, "summary", lang, local)]
    return _fill_currency(found, local), local


def _penalised(title: str, summary: str) -> bool:
    """Whether an item speaks of a penalty or a payment: one that does not states no amount of a decision
    (asked after the amounts are found, as most items state none and the words are many)."""
    return bool(words.PENALTY.search(title.lower()) or words.PENALTY.search(summary.lower()))


def stated_amounts(
    title: str, summary: str, *, lang: str | None = None, jurisdictions: Sequence[str] = ()
) -> list[tuple[Decimal, str]]:
    """Every amount of the decision the item states (parts and total alike), as (value, currency)."""
    found = _found(title, summary, lang, jurisdictions)[0]
    if not found or not _penalised(title, summary):
        return []
    return [(a.value, a.currency) for a in found]


def extract_amount(
    title: str, summary: str, *, lang: str | None = None, jurisdictions: Sequence[str] = ()
) -> Amount | None:
    """The main amount of the decision an item reports, or None when it states none (module docstring)."""
    found, local = _found(title, summary, lang, jurisdictions)
    if not found or not _penalised(title, summary):
        return None
    return _main([a for a in found if a.field == "title"], [a for a in found if a.field == "summary"], local)


def amount_tag(title: str, summary: str, lang: str, jurisdictions: Sequence[str]) -> dict[str, object] | None:
    """The ``amount`` of an item's tags (see :class:`services.pipeline.events.AmountTag`), or None."""
    amount = extract_amount(title, summary, lang=lang, jurisdictions=jurisdictions)
    if amount is None:
        return None
    evidence = {"text": amount.text, "field": amount.field, "start": amount.start, "end": amount.end}
    return {"value": amount.value, "currency": amount.currency, "evidence": evidence}
