"""The words of money in the languages RegAlerts reads: currency markers, scale words, decimal marks, and
the context words that make an amount a decision's penalty or rule it out (a deal's value, sales, a
maximum, a sum sought, a case of years ago). Read by :mod:`services.classify.amounts`."""

from __future__ import annotations

import re
from typing import Final

# Written before the number: symbols and ISO codes. "$" and "¥" are resolved by jurisdiction (see DOLLAR_BY).
PREFIXES: Final = {
    "US$": "USD", "U.S.$": "USD", "USD": "USD", "A$": "AUD", "AU$": "AUD", "AUD": "AUD", "C$": "CAD",
    "CA$": "CAD", "CAD": "CAD", "HK$": "HKD", "HKD": "HKD", "S$": "SGD", "SGD": "SGD", "NZ$": "NZD",
    "NZD": "NZD", "R$": "BRL", "BRL": "BRL", "NT$": "TWD", "TWD": "TWD", "$": "$", "€": "EUR", "EUR": "EUR",
    "£": "GBP", "GBP": "GBP", "¥": "¥", "￥": "¥", "JPY": "JPY", "CNY": "CNY", "RMB": "CNY", "₩": "KRW",
    "KRW": "KRW", "₹": "INR", "Rs.": "INR", "Rs": "INR", "INR": "INR", "CHF": "CHF", "SEK": "SEK",
    "NOK": "NOK", "DKK": "DKK", "PLN": "PLN", "₽": "RUB", "RUB": "RUB", "₺": "TRY", "TRY": "TRY",
}  # fmt: skip

# Written after the number (and its scale word), lower-cased. Longest forms are tried first.
SUFFIXES: Final = {
    "USD": ("u.s. dollars", "us dollars", "us-dollar", "dollars américains", "dólares estadounidenses",
            "dollars", "dollar", "dólares", "dólar", "dollari", "dollaro", "dolarów", "dolary", "dolari",
            "dolar", "dollaro", "美元", "ドル", "달러", "डॉलर", "долларов", "usd", "$"),
    "AUD": ("australian dollars", "australische dollar", "dollars australiens", "澳元"),
    "CAD": ("canadian dollars", "dollars canadiens", "加元"),
    "HKD": ("hong kong dollars", "港元", "港币", "港幣"),
    "TWD": ("新台币", "新台幣"),
    "EUR": ("euros", "euro", "evro", "eur", "€", "欧元", "歐元", "ユーロ", "유로", "यूरो", "евро"),
    "GBP": ("pounds sterling", "pound sterling", "livres sterling", "sterline", "pounds", "pound", "pfund",
            "libras", "英镑", "英鎊", "ポンド", "파운드", "£"),
    "CNY": ("元人民币", "元人民幣", "人民币", "人民幣", "人民元", "renminbi", "yuans", "yuanes", "yuan", "juanów",
            "juanów", "위안", "元"),
    "JPY": ("日元", "jenów", "yens", "yen", "円", "엔"),
    "KRW": ("韩元", "韓元", "won", "원"),
    "INR": ("rupees", "rupias", "roupies", "रुपये", "रुपए", "रुपया"),
    "CHF": ("swiss francs", "francs suisses", "schweizer franken", "franken", "franchi svizzeri", "francs", "chf"),
    "PLN": ("złotych", "zlotys", "zlotych", "zloty", "złoty", "zloți", "zloti", "zł", "pln"),
    "SEK": ("svenska kronor", "kronor", "sek"),
    "BRL": ("reais",),
    "RUB": ("рублей", "roubles", "rubles", "rub"),
    "TRY": ("türk lirası", "turkish lira", "lira", "try"),
}  # fmt: skip

# Connectors between a scale word and a currency word: "millions d'euros", "milioni di euro", "de zloți".
CONNECTOR: Final = r"(?:\s?(?:de|d'|d’|di|of|в)\s?)?"

# Latin-script scale words, lower-cased; "billion" means 10^12 in the languages of LONG_SCALE.
SCALES: Final = {
    "mil millones": 9, "thousand": 3, "tausend": 3, "mille": 3, "tys.": 3, "tys": 3, "mii": 3, "tusen": 3,
    "k": 3, "lakh": 5, "crore": 7, "लाख": 5, "करोड़": 7, "millions": 6, "million": 6, "millionen": 6,
    "millones": 6, "millón": 6, "milioni": 6, "milione": 6, "milhões": 6, "milhão": 6, "milionów": 6,
    "miliony": 6, "milion": 6, "milioane": 6, "miljoner": 6, "miljoen": 6, "milions": 6, "milió": 6,
    "mln": 6, "mio.": 6, "mio": 6, "mn": 6, "m": 6, "billions": 9, "billion": 9, "bn": 9, "bln": 9, "b": 9,
    "milliarden": 9, "milliarde": 9, "milliards": 9, "milliard": 9, "mrd.": 9, "mrd": 9, "miliardi": 9,
    "miliardo": 9, "bilhões": 9, "bilhão": 9, "mld": 9, "miliardów": 9, "miliardy": 9, "miliard": 9,
    "miliarde": 9, "miljarder": 9, "miljard": 9, "miljarden": 9, "trillion": 12, "billionen": 12,
    "billones": 12, "billón": 12, "मिलियन": 6, "बिलियन": 9,
}  # fmt: skip
LONG_SCALE: Final = frozenset({"de", "fr", "es", "it", "nl", "pl", "sv", "da", "no", "fi", "ca"})
# Chinese, Japanese and Korean units, which compound: "1조 2000억", "116.86万".
CJK_UNITS: Final = {
    "万亿": 12, "萬億": 12, "兆": 12, "조": 12, "亿": 8, "億": 8, "억": 8, "千万": 7, "千萬": 7, "천만": 7,
    "百万": 6, "百萬": 6, "백만": 6, "万": 4, "萬": 4, "만": 4, "千": 3, "천": 3,
}  # fmt: skip

# Languages that write 1.234,5 (a single separator followed by three digits is a thousands one otherwise).
COMMA_DECIMAL: Final = frozenset(
    {"de", "fr", "es", "it", "pt", "pl", "ro", "ca", "nl", "sv", "da", "no", "fi", "cs", "ru", "tr", "id"}
)

# The currency of a jurisdiction: gives "$" and "¥" their meaning, and an amount with no currency its own.
CURRENCY_OF: Final = {
    "US": "USD", "EU": "EUR", "GB": "GBP", "CN": "CNY", "JP": "JPY", "KR": "KRW", "IN": "INR", "CH": "CHF",
    "PL": "PLN", "AU": "AUD", "CA": "CAD", "NZ": "NZD", "HK": "HKD", "SG": "SGD", "TW": "TWD", "BR": "BRL",
    "SE": "SEK", "NO": "NOK", "DK": "DKK", "RU": "RUB", "TR": "TRY", "DE": "EUR", "FR": "EUR", "IT": "EUR",
    "ES": "EUR", "NL": "EUR", "BE": "EUR", "AT": "EUR", "IE": "EUR", "PT": "EUR", "FI": "EUR", "LU": "EUR",
    "GR": "EUR",
}  # fmt: skip
DOLLAR_BY: Final = frozenset({"AUD", "CAD", "NZD", "HKD", "SGD", "TWD"})

# The word lists below are lower-case and match lower-cased text (``text.lower()``): a case-insensitive
# regular expression compares every character of every alternative in both cases, two to three times slower.
# An item states a decision's amount only when it speaks of a penalty or a payment somewhere.
PENALTY: Final = re.compile(
    r"\bfine[sd]?\b|\bfining\b|penalt|\bpa(?:y|ys|id|ying|yment|yments)\b|sanction|\bsettle|\bagree|"
    r"damages|disgorge|restitution|forfeit|strafe|bu(?:ß|ss)geld|geldbu(?:ß|ss)e|\bbusse\b|büsst|zahlen|"
    r"verhängt|sanktion|amende|pénalit|payer|inflig|condamn|multa|multe|multou|sanci[oó]n|sanciona|pagar|"
    r"sanzion|ammenda|pagare|sanç|\bamend|sancțiun|plăti|\bkar[aeyę]\b|ukara|grzywn|zapłac|boete|betalen|"
    r"böter|bötfäll|sanktionsavgift|betala|罚|罰|赔偿|課徴金|制裁金|過料|支払|과징금|벌금|과태료|제재금|"
    r"जुर्माना|दंड|штраф|ceza",
)
# Just before an amount: what it is not (sales, a price, a maximum, a sum sought, a case of years ago).
NOT_BEFORE: Final = re.compile(
    r"sales|revenue|turnover|umsatz|chiffre d'affaires|ventas|vendas|fatturato|obrot|销售额|营业额|营收|"
    r"売上|매출|worth|valued|värt|im wert|d'une valeur|bid for|takeover|acquisition|übernahme|\bkauf|"
    r"rachat|adquisi|aquisi|acquisiz|收购|買収|인수|up to|as much as|maximum|bis zu|jusqu'à|hasta|fino a|"
    r"\baté\b|最高|上限|最大|最多|최대|seek|sought|\bwants?\b|\bask(?:s|ed)? (?:the )?\w* ?(?:court )?for|\bago\b|"
    r"\btemu\b|il y a|\bhace\b|anni fa|atrás|年前|년 전|vor \w+ jahren|\bhad\b|previously|earlier|last year|"
    r"l'an dernier|l'année dernière|vergangenen jahr|el año pasado|l'anno scorso|去年|昨年|작년|stock|shares|aktie",
)
# Between two amounts of a list ("68,7 milioni di euro ad Amazon e 134,5 milioni ad Apple").
AND: Final = re.compile(r"\s(?:and|e|et|und|y|i|en|och|și|oraz)\s|[和及、与與]|그리고")
# Just after an amount: the same, said afterwards ("£500,000 maximum", "$420 a share", "£68.7bn bid").
NOT_AFTER: Final = re.compile(
    r"^[\s-]*(?:maximum|max\b|cap\b|bid\b|takeover|acquisition|deal\b|offer\b|(?:a|per) share|par action|"
    r"je aktie|por acción|would be|record set|in sales|in revenue|schwere|的上市|上市|ipo\b|plus\b)",
)
