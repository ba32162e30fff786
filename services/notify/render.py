"""Email bodies and pages from Jinja2 templates (HTML autoescaped), and the facts line of an alert (pure)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.notify.payload import Alert

TEMPLATES = Path(__file__).parent / "templates"
EXCERPT_CHARS = 400

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), disabled_extensions=("txt.j2",), default=True),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Facts:
    """The short, human-readable tag summary of an alert."""

    regulators: str
    actions: str
    companies: str
    jurisdictions: str


def facts(alert: Alert) -> Facts:
    """Regulators, actions, companies and jurisdictions as comma-separated text ("—" when none)."""
    return Facts(
        regulators=", ".join(r.acronym or r.name for r in alert.regulators) or "—",
        actions=", ".join(a.type.value.replace("_", " ") for a in alert.actions) or "—",
        companies=", ".join(c.name for c in alert.companies[:8]) or "—",
        jurisdictions=", ".join(alert.jurisdictions) or "—",
    )


def why(alert: Alert) -> str:
    """Why the alert matched, as text: "companies: Google («Google»); actions: fine («amende»)"."""
    parts = []
    for hit in alert.matched:
        said = ", ".join(f"«{text}»" for text in hit.evidence[:3])
        parts.append(f"{hit.filter}: {hit.value}" + (f" ({said})" if said else ""))
    return "; ".join(parts) or "every item (no filter)"


def source(alert: Alert) -> str:
    """The item's source (its feed's title, else the feed URL) and how many sources its story has."""
    name = alert.item.feed_title or alert.item.feed_url
    sources = alert.story.sources if alert.story else 1
    return f"{name} ({sources} sources)" if sources > 1 else name


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first ``limit`` characters of a text, whitespace collapsed."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_link(url: str | None) -> str | None:
    """The URL when it is http(s) (no javascript: or data: links in emails)."""
    return url if url and urlsplit(url).scheme in ("http", "https") else None


@dataclass(frozen=True)
class Group:
    """Alerts of one regulator, for digests."""

    regulator: str
    alerts: list[Alert]


def group_by_regulator(alerts: list[Alert]) -> list[Group]:
    """Alerts grouped by their first regulator (by name), groups sorted by name, "Other" last."""
    groups: dict[str, list[Alert]] = defaultdict(list)
    for alert in alerts:
        groups[alert.regulators[0].name if alert.regulators else ""].append(alert)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0].casefold()))
    return [Group(regulator=name or "Other", alerts=items) for name, items in ordered]


def render_template(name: str, **context: Any) -> str:
    """Render one template of services/notify/templates with the helpers available."""
    helpers = {"facts": facts, "excerpt": excerpt, "safe_link": safe_link, "why": why, "source": source}
    return _env.get_template(name).render(**helpers, **context)
