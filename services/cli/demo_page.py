"""The demo receiver's page: the alerts received as a subscriber reads them (headline, English gist, why it
matched, source, story), with their tags, every value HTML-escaped."""

from __future__ import annotations

from html import escape
from typing import Any

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1d232a}
h1{font-size:1.4rem} .alert{border:1px solid #d5dbe1;border-radius:8px;padding:.8rem 1rem;margin:.8rem 0}
.meta{color:#5b6670;font-size:.85rem} .tag{display:inline-block;background:#eef2f6;border-radius:4px;
padding:0 .4rem;margin:.1rem .2rem .1rem 0;font-size:.85rem} .tag.reg{background:#fde8c8}
.tag.act{background:#dcefdc} .empty{color:#5b6670} h2{font-size:1.15rem;margin-top:2rem}
.gist{font-style:italic;margin:.2rem 0} .why{font-size:.85rem;margin:.3rem 0}
pre{white-space:pre-wrap;font:13px/1.4 ui-monospace,monospace}
"""


def _tags(values: list[str], css: str) -> str:
    return "".join(f'<span class="tag {css}">{escape(v)}</span>' for v in values)


def _excerpt(text: str, limit: int = 400) -> str:
    """At most ``limit`` characters, cut at a word and marked with an ellipsis (escaped afterwards, never cut)."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def alert_id(envelope: dict[str, Any]) -> str:
    """The id of the alert an event carries (the same as its webhook-id header)."""
    return str((envelope.get("data") or {}).get("id", ""))


def _why(alert: dict[str, Any]) -> str:
    """Each filter value that hit, with the item's words that satisfy it."""
    reasons = []
    for hit in alert.get("matched") or []:
        words = ", ".join(f"“{w}”" for w in hit.get("evidence") or [])
        reasons.append(f"{hit.get('filter', '')} {hit.get('value', '')}" + (f" ({words})" if words else ""))
    return f'<div class="why">Why: {escape("; ".join(reasons))}</div>' if reasons else ""


def _sources(alert: dict[str, Any]) -> str:
    """The story's reports when there is more than this one: feed and language of each."""
    reports = (alert.get("story") or {}).get("reports") or []
    if len(reports) < 2:
        return ""
    listed = "; ".join(f"{r.get('feed', '')} ({r.get('language', '')})" for r in reports)
    return f'<div class="why">{len(reports)} sources: {escape(listed)}</div>'


def _meta(envelope: dict[str, Any], alert: dict[str, Any], checked: str) -> str:
    item = alert.get("item") or {}
    subscription = (alert.get("subscription") or {}).get("name") or alert.get("subscription_id", "")
    source = item.get("feed_title") or item.get("feed_url") or ""
    parts = [
        envelope.get("type", ""),
        f"published {item.get('published_at', '')}",
        f"source {source}",
        f"language {item.get('language', '')}",
        f"subscription “{subscription}”",
        checked,
    ]
    return f'<div class="meta">{escape(" · ".join(parts))}</div>'


def _alert_html(envelope: dict[str, Any], unchecked: set[str]) -> str:
    alert = envelope.get("data") or {}
    item = alert.get("item") or {}
    regulators = [f"{r.get('acronym') or r.get('name')} ({r.get('jurisdiction')})" for r in alert.get("regulators", [])]
    actions = [a["type"] + (" ★" if a.get("primary") else "") for a in alert.get("actions", [])]
    companies = [c["name"] for c in alert.get("companies", [])]
    link = item.get("link") or ""
    title = escape(item.get("title", ""))
    headline = (
        f'<a href="{escape(link)}" rel="noopener noreferrer">{title}</a>' if link.startswith("https://") else title
    )
    checked = "signature not checked (not a demo subscription)" if alert_id(envelope) in unchecked else "signed"
    gist = alert.get("gist") or ""
    return (
        f'<div class="alert"><div><strong>{headline}</strong></div>'
        + (f'<div class="gist">{escape(gist)}</div>' if gist else "")
        + _meta(envelope, alert, checked)
        + f"<div>{_tags(regulators, 'reg')}{_tags(actions, 'act')}{_tags(companies, 'co')}</div>"
        + _why(alert)
        + _sources(alert)
        + f"<p>{escape(_excerpt(item.get('summary', '')))}</p></div>"
    )


def _mail_html(message: dict[str, Any]) -> str:
    return (
        f'<div class="alert"><div><strong>{escape(message.get("subject", ""))}</strong></div>'
        f'<div class="meta">to {escape(", ".join(message.get("to", [])))} · from {escape(message.get("from", ""))}'
        f"</div><pre>{escape(message.get('text', ''))}</pre></div>"
    )


def render_page(
    alerts: list[dict[str, Any]],
    refused: int,
    *,
    unchecked: set[str] | None = None,
    mail: list[dict[str, Any]] | None = None,
) -> str:
    """The whole page: webhook alerts, then the mail caught; it reloads itself every 3 seconds."""
    body = "".join(_alert_html(a, unchecked or set()) for a in alerts)
    body = body or '<p class="empty">No alert yet: the feeds are being polled…</p>'
    caught = "".join(_mail_html(m) for m in mail or []) or '<p class="empty">No mail yet.</p>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">'
        f"<title>RegAlerts demo receiver</title><style>{_STYLE}</style></head><body>"
        f"<h1>RegAlerts demo receiver — {len(alerts)} alert(s)</h1>"
        f'<p class="meta">Signed webhooks verified on arrival; refused: {refused}. ★ = primary action.</p>'
        f"{body}<h2>Mail caught — {len(mail or [])} message(s)</h2>"
        '<p class="meta">The demo runs an SMTP server for notify; email alerts land here.</p>'
        f"{caught}</body></html>"
    )
