"""A one-line English gist of an item, built from its tags alone, so that a Chinese or Korean headline
reads in English beside the original: "CAC (China) summoned Alibaba, Tencent, Xiaomi, ByteDance and
Kuaishou — security assessment" (pure)."""

from __future__ import annotations

from decimal import Decimal

from services.pipeline.events import Tags

# What a regulator did, as a verb before the companies (or alone when none is named).
VERBS = {
    "fine": "fined", "ban": "banned", "summons": "summoned", "investigation": "opened an investigation into",
    "lawsuit": "sued", "settlement": "settled with", "approval": "approved", "rejection": "blocked",
    "licence_revocation": "revoked the licence of", "rule_proposal": "proposed rules for",
    "final_rule": "adopted rules for", "guidance": "issued guidance for", "recall": "announced a recall by",
    "warning": "warned", "order": "issued an order against", "security_assessment": "ordered a security assessment of",
    "other": "acted on",
}  # fmt: skip
COUNTRIES = {
    "US": "US", "EU": "EU", "GB": "UK", "CN": "China", "JP": "Japan", "KR": "South Korea", "IN": "India",
    "DE": "Germany", "FR": "France", "IT": "Italy", "ES": "Spain", "NL": "Netherlands", "CH": "Switzerland",
    "PL": "Poland", "AU": "Australia", "CA": "Canada", "BR": "Brazil", "SE": "Sweden", "TR": "Turkey",
    "RU": "Russia", "HK": "Hong Kong", "SG": "Singapore", "TW": "Taiwan", "IE": "Ireland", "BE": "Belgium",
}  # fmt: skip
MAX_COMPANIES = 5
SCALES = ((Decimal(10) ** 12, "tn"), (Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "m"))


def _listed(names: list[str]) -> str:
    shown = names[:MAX_COMPANIES] + ([f"{len(names) - MAX_COMPANIES} more"] if len(names) > MAX_COMPANIES else [])
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def money(value: Decimal, currency: str) -> str:
    """An amount for reading: "EUR 1.128bn", "GBP 183.39m", "CNY 500,000"."""
    for scale, suffix in SCALES:
        if value >= scale:
            return f"{currency} {format((value / scale).normalize(), 'f')}{suffix}"
    return f"{currency} {value:,.0f}" if value == value.to_integral_value() else f"{currency} {value:,}"


def gist(tags: Tags) -> str:
    """Who did what to whom, from the tags; the other actions and the amount after a dash."""
    regulator = tags.regulators[0] if tags.regulators else None
    who = "A regulator"
    if regulator is not None:
        country = COUNTRIES.get(regulator.jurisdiction, regulator.jurisdiction)
        who = f"{regulator.acronym or regulator.name} ({country})"
    elif tags.jurisdictions:
        who = f"Regulators ({COUNTRIES.get(tags.jurisdictions[0], tags.jurisdictions[0])})"
    actions = sorted(tags.actions, key=lambda a: (not a.primary, -a.confidence))
    main = actions[0].type.value if actions else "other"
    companies = [c.name for c in tags.companies]
    line = f"{who} {VERBS[main]} {_listed(companies)}" if companies else f"{who} {VERBS[main]}".rstrip()
    rest = list(dict.fromkeys(a.type.value.replace("_", " ") for a in actions[1:] if a.type.value != main))
    if tags.amount is not None:
        rest.append(money(tags.amount.value, tags.amount.currency))
    return " — ".join([line, ", ".join(rest)]) if rest else line
