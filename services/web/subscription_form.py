"""The subscription form: what was typed, as notify's API body and back (pure)."""

from __future__ import annotations

import re
from typing import Any

from services.pipeline.events import ActionType

LIST_FIELDS = ("companies", "regulators", "jurisdictions", "languages", "keywords")
ACTIONS = [action.value for action in ActionType]
_SPLIT = re.compile(r"[,\n]")


def split(value: str) -> list[str]:
    """A comma- or line-separated field as its values, trimmed, repeats dropped."""
    return list(dict.fromkeys(part.strip() for part in _SPLIT.split(value) if part.strip()))


def blank_form() -> dict[str, str]:
    """The values of a new subscription's form."""
    return {
        "name": "",
        **dict.fromkeys(LIST_FIELDS, ""),
        "actions": "",
        "channel": "webhook",
        "url": "",
        "addresses": "",
        "mode": "instant",
        "digest_frequency": "daily",
        "digest_hour": "8",
        "digest_timezone": "UTC",
    }


def filters_of(form: dict[str, str]) -> dict[str, list[str]]:
    """The filters the form describes."""
    filters = {name: split(form.get(name, "")) for name in LIST_FIELDS}
    filters["actions"] = [a for a in split(form.get("actions", "")) if a in ACTIONS]
    return filters


def _channel(form: dict[str, str]) -> dict[str, Any]:
    kind = form.get("channel", "webhook")
    if kind == "email":
        return {"type": "email", "addresses": split(form.get("addresses", ""))}
    return {"type": "webhook", "url": form.get("url", "").strip(), "format": "slack" if kind == "slack" else "json"}


def body_of(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """notify's body for the form, and the errors found before asking notify (field -> message)."""
    errors: dict[str, str] = {}
    if not form.get("name", "").strip():
        errors["name"] = "Give the subscription a name."
    unknown = [a for a in split(form.get("actions", "")) if a not in ACTIONS]
    if unknown:
        errors["actions"] = f"Unknown action: {', '.join(unknown)}."
    body: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "filters": {name: values for name, values in filters_of(form).items() if values},
        "channel": _channel(form),
        "mode": "digest" if form.get("mode") == "digest" else "instant",
    }
    if body["mode"] == "digest":
        hour = form.get("digest_hour", "8").strip()
        if not hour.isdigit() or not 0 <= int(hour) <= 23:
            errors["digest_hour"] = "An hour from 0 to 23."
        else:
            body["digest"] = {
                "frequency": "hourly" if form.get("digest_frequency") == "hourly" else "daily",
                "hour": int(hour),
                "timezone": form.get("digest_timezone", "UTC").strip() or "UTC",
            }
    return body, errors


def form_of(subscription: dict[str, Any]) -> dict[str, str]:
    """The form's values for an existing subscription."""
    filters = subscription.get("filters", {})
    channel = subscription.get("channel", {})
    digest = subscription.get("digest") or {}
    form = blank_form()
    form.update({name: ", ".join(filters.get(name, [])) for name in LIST_FIELDS})
    form["actions"] = ",".join(filters.get("actions", []))
    form["name"] = subscription.get("name", "")
    if channel.get("type") == "email":
        form.update(channel="email", addresses=", ".join(channel.get("addresses", [])))
    else:
        form.update(channel="slack" if channel.get("format") == "slack" else "webhook", url=channel.get("url", ""))
    form["mode"] = subscription.get("mode", "instant")
    if digest:
        form.update(
            digest_frequency=digest.get("frequency", "daily"),
            digest_hour=str(digest.get("hour", 8)),
            digest_timezone=digest.get("timezone", "UTC"),
        )
    return form


def summary(subscription: dict[str, Any]) -> str:
    """One line saying what a subscription matches."""
    filters = subscription.get("filters", {})
    parts = [
        f"{name}: {', '.join(map(str, values))}"
        for name, values in filters.items()
        if values and isinstance(values, list)
    ]
    return "; ".join(parts) or "every item"


def where_to(subscription: dict[str, Any]) -> str:
    """Where a subscription's alerts go."""
    channel = subscription.get("channel", {})
    if channel.get("type") == "email":
        return "email to " + ", ".join(channel.get("addresses", []))
    return f"{'Slack' if channel.get('format') == 'slack' else 'webhook'} {channel.get('url', '')}"
