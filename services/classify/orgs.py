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
# A legal form follows its name after a space (or ", "): the space leads the pattern, so the regex engine
# jumps from space to space instead of trying every form at every character,
# and a lookahead on the forms' first letters skips most words before trying the alternatives.
_FIRST_LETTERS = "".join(sorted({form[0] for form in _LEGAL_FORMS.split("|")}))


def _by_first_letter(forms: list[str]) -> str:
    """The alternatives grouped by their first letter, in their order within each group: the same matches,
    but the engine tries one group at a word instead of every form (a fifth fewer steps)."""
    groups: dict[str, list[str]] = {}
    for form in forms:
        groups.setdefault(form[0], []).append(form[1:])
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items())


# German joins a legal form to its name with a hyphen too: "Allianz Lebensversicherungs-AG".
_FORM = re.compile(
    rf"(?: (?=[{_FIRST_LETTERS}])|-(?=AG\b|GmbH\b|KGaA\b))(?P<form>{_by_first_letter(_LEGAL_FORMS.split('|'))})(?![\w])"
)

# The name just before a legal form: searched in a window that ends at the form.
_NAME_BEFORE = re.compile(rf"(?<![\w.])(?P<name>{_WORD}(?:[ \-](?:{_JOINER} )?{_WORD}){{0,4}}),?[ \-]$")
_NAME_WINDOW = 120
_CJK_MARKS = ("股份", "有限", "株式会社", "(株)", "（株）", "주식회사", "(주)", "（주）")
_CJK_MARK = re.compile("|".join(map(re.escape, _CJK_MARKS)))
_CJK_STOP = "的对與与和及在是被向将由为、，。：；「」“”《》（）() 　,.;:!?"
_CJK = re.compile(
    rf"(?P<name>[^{_CJK_STOP}\d]{{2,10}}?)(?P<form>股份有限公司|有限责任公司|有限責任公司|有限公司|株式会社|\(株\)|（株）)"
    rf"|(?P<prefix>株式会社|\(株\)|（株）|주식회사|\(주\)|（주）) ?(?P<after>[^{_CJK_STOP}\d]{{2,12}})"
)
# Capitalised words that start a sentence or a name phrase but are not part of the name.
_LEADING = frozenset(
    [
        "the",
        "a",
        "an",
        "die",
        "der",
        "das",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "la",
        "le",
        "les",
        "l'",
        "el",
        "los",
        "las",
        "il",
        "lo",
        "gli",
        "un",
        "une",
        "una",
        "de",
        "het",
        "een",
        "am",
        "im",
        "in",
        "an",
        "auf",
        "bei",
        "von",
        "for",
        "from",
        "with",
        "against",
        "gegen",
        "contre",
        "contra",
        "contro",
        "tegen",
        "avec",
        "mit",
        "con",
    ]
)
CONFIDENCE = 0.6
# Compiled once: the module-level re functions look their pattern up in re's cache on every call.
_NOT_WORD = re.compile(r"[^\w]+")
_WORD_BREAK = re.compile(r"[ '’]+")
_PART = re.compile(r"[^-/]+")


@dataclass(frozen=True, slots=True)
class Organisation:
    """An organisation found by its legal form: the name without the form, and its span in the text."""

    name: str
    start: int
    end: int

    @property
    def id(self) -> str:
        """A stable id derived from the folded name."""
        return "org:" + _NOT_WORD.sub("-", fold(self.name)).strip("-")


# Words that name a group itself, not a subsidiary: "BMW Group AG" is BMW.
_GROUP_WORDS = frozenset(
    ["group", "groupe", "gruppe", "grupo", "gruppo", "holding", "holdings", "company", "corporation", "corp", "co"]
)
_FORMER = re.compile(
    r"\((?:formerly|previously|voorheen|vroeger|ehemals|vormals|früher|anciennement|ex|anteriormente|antes|già"
    r"|precedentemente|antiga|antigo|旧)[ :\-]*$"
)


def is_subsidiary(extra: str) -> bool:
    """Whether the words a name with a legal form has beside a known company's name make it another company:
    they are not only words for a group ("BMW Group AG" is BMW) or articles."""
    words = [word for word in _NOT_WORD.split(fold(extra)) if word]
    return bool(words) and not all(word in _GROUP_WORDS or word in _LEADING for word in words)


def former_name(text: str, start: int) -> bool:
    """Whether the name at ``start`` is given as a former name: "(formerly X Ltd)", "(voorheen X B.V.)"."""
    return _FORMER.search(text, max(0, start - 20), start) is not None


def _trim(name: str, start: int) -> tuple[str, int]:
    words = name.split(" ")
    while words and fold(words[0]) in _LEADING:
        start += len(words[0]) + 1
        words = words[1:]
    return " ".join(words), start


def find_organisations(text: str) -> list[Organisation]:
    """Organisations named with a legal form, in text order."""
    found: list[Organisation] = []
    for form in _FORM.finditer(text):
        begin = form.start("form")
        match = _NAME_BEFORE.search(text, max(0, begin - _NAME_WINDOW), begin)
        if match:
            name, start = _trim(match.group("name"), match.start("name"))
            if name and any(ch.isalpha() for ch in name):
                found.append(Organisation(name, start, form.end()))
    # A Latin-script text holds none of the marks: ``in`` rejects it at once (a needle of a wider script than
    # the text), where the regular expression would read every character.
    if not any(mark in text for mark in _CJK_MARKS):
        return found
    marks = [mark.start() for mark in _CJK_MARK.finditer(text)]
    if marks:
        # Every match holds a form or prefix that starts with a mark, its name at most 10 characters before
        # it and at most 14 after: only that stretch of the text is searched.
        for cjk in _CJK.finditer(text, max(0, marks[0] - 10), marks[-1] + 20):
            name = cjk.group("name") or cjk.group("after") or ""
            if len(name) >= 2:
                found.append(Organisation(name.strip(), cjk.start(), cjk.end()))
    return found


POSITION_CONFIDENCE = 0.45
# A capitalised word, its letters taken possessively (``*+``): what may follow them (a space, a hyphen, a
# slash, the end) is never a letter, so giving letters back could not make a match, only cost the attempt.
CAPITALISED_WORD = r"[A-ZÀ-ÖØ-Þ][\w&'’]*+"
CAPITALISED = re.compile(rf"{CAPITALISED_WORD}(?:[-/][A-Z0-9À-ÖØ-Þ][\w&'’]*+)*(?: {CAPITALISED_WORD}){{0,3}}")
_CAPITALISED_END = re.compile(rf"(?<![\w'’])(?:{CAPITALISED.pattern})$")
_LINKS = re.compile(
    r"^ (?:(?:against|gegen|contre|contro|contra|tegen|à l'encontre de|nei confronti di|a|à|al|à la|au|aux|de|"
    r"di|da|van|von|on|the|la|le|les|l'|el|il|lo|die|der|den|het|de) )*"
)
NOT_NAMES = _LEADING | frozenset(
    [
        "union",
        "eu",
        "ue",
        "covid",
        "covid-19",
        "internet",
        "euro",
        "euros",
        "franken",
        "francs",
        "dollar",
        "dollars",
        "millionen",
        "millions",
    ]
)

# Common nouns of public bodies and of business in general, folded: a headline's subject made only of these
# ("Regulator fines ...", "La Autoridad multa ...", "Bank charges rise") is no organisation by position.
_GENERIC_TEXT = {
    "en": "regulator regulators watchdog watchdogs authority authorities court courts government governments"
    " ministry ministries minister agency agencies company companies firm firms police commission commissioner"
    " prosecutor prosecutors tribunal judge judges parliament congress senate council state states city bank banks"
    " group lender lenders insurer operator supervisor officials department office bureau administration"
    " inspectorate ombudsman board business businesses industry federal national central european public"
    " competition consumer consumers market markets data protection privacy securities exchange trade financial",
    "fr": "regulateur regulateurs gendarme autorite autorites tribunal cour justice gouvernement ministere ministre"
    " agence entreprise entreprises societe societes groupe police commission parquet procureur conseil etat ville"
    " banque banques assureur operateur office administration inspection juge firme federal federale national"
    " nationale europeen europeenne concurrence consommation marche marches donnees protection",
    "de": "behorde behorden aufsicht aufsichtsbehorde regulierer gericht regierung ministerium agentur unternehmen"
    " firma konzern polizei kommission staatsanwaltschaft bund rat staat stadt versicherer amt bundesamt verwaltung"
    " richter wettbewerb datenschutz verbraucherschutz",
    "es": "regulador reguladores autoridad autoridades tribunal corte juez gobierno ministerio ministro agencia empresa"
    " empresas compania sociedad grupo policia comision fiscalia fiscal consejo estado ciudad banco aseguradora"
    " organismo superintendencia oficina competencia consumo mercado mercados datos proteccion valores hacienda",
    "it": "regolatore autorita garante tribunale giudice governo ministero ministro agenzia azienda aziende societa"
    " impresa gruppo polizia commissione procura consiglio stato citta banca ufficio concorrenza mercato mercati"
    " consumatori dati protezione privacy antitrust",
    "pt": "autoridade juiz governo agencia companhia sociedade conselho cidade comissao procuradoria concorrencia"
    " consumidor mercado mercados dados protecao valores superintendencia geral europeia nacional",
    "nl": "toezichthouder autoriteit rechter rechtbank hof regering overheid ministerie agentschap bedrijf bedrijven"
    " onderneming politie commissie justitie raad stad waakhond mededinging consument markten europese nationale",
}
GENERIC_WORDS = frozenset(word for words in _GENERIC_TEXT.values() for word in words.split(" "))


def is_generic(name: str) -> bool:
    """Whether a capitalised phrase is only common nouns (and articles): "Regulator", "The Court", "L'Autorità"
    (an elided article is one letter)."""
    words = [fold(word) for word in _WORD_BREAK.split(name) if word]
    return bool(words) and all(word in GENERIC_WORDS or word in _LEADING or len(word) == 1 for word in words)


# Last words that make a capitalised phrase a text of law, not an organisation.
_LAW_WORDS = frozenset(
    [
        "act",
        "law",
        "code",
        "directive",
        "regulation",
        "ordinance",
        "gesetz",
        "verordnung",
        "loi",
        "ley",
        "legge",
        "lei",
        "wet",
    ]
)


def parts(text: str, start: int) -> list[Organisation]:
    """Split "Sunrise-UPC" and "AZ Medien/NZZ" into their names."""
    found: list[Organisation] = []
    for match in _PART.finditer(text):
        name = match.group().strip()
        words = [fold(word) for word in name.split(" ")]
        if (
            name and words[0] not in NOT_NAMES and words[-1] not in _LAW_WORDS and not name.isdigit()
            and not is_generic(name)
        ):  # fmt: skip
            found.append(Organisation(name, start + match.start(), start + match.end()))
    return found


def _initial_only(name: str, start: int, title: str, text: str) -> bool:
    """Whether a one-word name is capitalised only because it starts the headline or a segment of it
    ("Nueva multa para Google", "Fresh probe into Meta"): nothing but its place says it is a name. Its
    shape (UPS, DeReisPlanner) or its capital in the middle of a sentence elsewhere in the item say it is."""
    if " " in name or not name.isalpha() or any(ch.isupper() for ch in name[1:]):
        return False
    if title[:start].rstrip(" ")[-1:] not in ("", ":", "–", "-", "|"):
        return False
    return re.search(rf"(?<=[\w,;] ){re.escape(name)}(?![\w])", text) is None


def by_position(title: str, triggers: list[tuple[int, int]], lang: str, text: str = "") -> list[Organisation]:
    """Names in the subject or object place of a headline's action verb ("Avenir Telecom rappelle ...",
    "... sanctionne Bucher Landtechnik"): a verb is a lower-case trigger; German nouns are capitalised, so
    there only an all-capitals object counts. A one-word subject that only the headline's first capital
    makes a name is none (``text``: the whole item, where a name would be capitalised mid-sentence)."""
    found: list[Organisation] = []
    for start, end in triggers:
        if not title[start:end][:1].islower():
            continue
        before = title[:start].rstrip(" ")
        subject = _CAPITALISED_END.search(before, max(0, len(before) - _NAME_WINDOW))
        if subject and _initial_only(subject.group(), subject.start(), title, text or title):
            subject = None
        if subject and (lang != "de" or subject.group().split(" ")[0].isupper()):
            found += parts(subject.group(), subject.start())
        link = _LINKS.match(title[end:])
        offset = end + (link.end() if link else 0)
        obj = CAPITALISED.match(title, offset)
        if obj and (lang != "de" or obj.group().split(" ")[0].isupper()):
            found += parts(obj.group(), obj.start())
    return found
