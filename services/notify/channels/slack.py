"""Slack incoming webhooks: Block Kit messages, text escaped for mrkdwn, bursts coalesced into one message."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlsplit

from services.notify.channels import Batch, Outcome
from services.notify.channels.http import Poster
from services.notify.payload import Alert, one_per_story
from services.notify.render import facts

EXCERPT_CHARS = 280
SECTION_CHARS = 3000
HEADER_CHARS = 150


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control: &, < and >."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _safe_link(url: str | None) -> str | None:
    """An http(s) URL fit for ``<url|text>``: characters that would end the link are percent-encoded."""
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return None
    return quote(url, safe=":/?#[]@!$&'()*+,;=%-._~").replace("&", "&amp;")


def _headline(alert: Alert) -> str:
    title = escape_mrkdwn(_clip(alert.item.title, 250)) or "(untitled)"
    prefix = {"updated": "Updated: ", "story_update": "New report: "}.get(alert.kind, "")
    link = _safe_link(alert.item.link)
    return f"*{prefix}<{link}|{title}>*" if link else f"*{prefix}{title}*"


def _facts(alert: Alert) -> str:
    f = facts(alert)
    sources = alert.story.sources if alert.story else 1
    line = (
        f"Published {alert.item.published_at:%Y-%m-%d %H:%M} UTC · {alert.item.feed_title or alert.item.feed_url} · "
        f"Sources: {sources} · Subscription: {alert.subscription.name if alert.subscription else alert.subscription_id}"
        f" · Regulator: {f.regulators} · Action: {f.actions} · Companies: {f.companies} · "
        f"Jurisdiction: {f.jurisdictions} · Language: {alert.item.language}"
    )
    return escape_mrkdwn(_clip(line, 1000))


def _alert_blocks(alert: Alert) -> list[dict[str, Any]]:
    text = _headline(alert)
    if alert.gist:
        text = f"{text}\n_{escape_mrkdwn(_clip(alert.gist, 300))}_"
    excerpt = escape_mrkdwn(_clip(alert.item.summary, EXCERPT_CHARS))
    if excerpt:
        text = f"{text}\n{excerpt}"
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_CHARS]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _facts(alert)}]},
    ]


def render_slack(batch: Batch) -> dict[str, Any]:
    """A Block Kit message for one alert or a coalesced burst (at most 12 alerts: 50 blocks)."""
    alerts = one_per_story(batch.alerts) if batch.digest else batch.alerts
    blocks: list[dict[str, Any]] = []
    if len(alerts) > 1 or batch.digest:
        heading = f"{len(alerts)} regulatory alerts" + (" (digest)" if batch.digest else "")
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": heading[:HEADER_CHARS]}})
    for position, alert in enumerate(alerts):
        if position:
            blocks.append({"type": "divider"})
        blocks.extend(_alert_blocks(alert))
    first = alerts[0]
    fallback = escape_mrkdwn(_clip(first.item.title, 200))
    if len(alerts) > 1:
        fallback = f"{len(alerts)} regulatory alerts: {fallback} …"
    return {"text": fallback, "blocks": blocks, "unfurl_links": False}


class SlackChannel:
    """Posts Block Kit messages to a Slack incoming webhook."""

    name = "slack"

    def __init__(self, client: Poster) -> None:
        self._client = client

    async def send(self, batch: Batch) -> Outcome:
        """Render and post; a 429 carries its Retry-After back to the worker."""
        if not batch.target.url:
            return Outcome(delivered=False, error="Slack webhook has no URL")
        body = json.dumps(render_slack(batch), ensure_ascii=False).encode()
        return await self._client.post(batch.target.url, body, {})
