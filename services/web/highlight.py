"""An item's text cut into segments, each evidence span marked with the tag it produced (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mark:
    """Which tag a span of text produced."""

    kind: str  # company | regulator | action | amount
    label: str
    ref: str  # id of the tag's entry in the tag list on the page


@dataclass(frozen=True)
class Segment:
    """A piece of text, marked when it is evidence."""

    text: str
    mark: Mark | None = None


def _marks(tags: dict[str, Any]) -> list[tuple[Mark, dict[str, Any]]]:
    found: list[tuple[Mark, dict[str, Any]]] = []
    for i, tag in enumerate(tags.get("regulators", [])):
        label = tag.get("acronym") or tag["name"]
        found += [(Mark("regulator", label, f"tag-regulator-{i}"), ev) for ev in tag.get("evidence", [])]
    for i, tag in enumerate(tags.get("actions", [])):
        label = tag["type"].replace("_", " ")
        found += [(Mark("action", label, f"tag-action-{i}"), ev) for ev in tag.get("evidence", [])]
    for i, tag in enumerate(tags.get("companies", [])):
        found += [(Mark("company", tag["name"], f"tag-company-{i}"), ev) for ev in tag.get("evidence", [])]
    amount = tags.get("amount")
    if amount:
        found.append((Mark("amount", f"{amount['value']:,} {amount['currency']}", "tag-amount"), amount["evidence"]))
    return found


def segments(text: str, tags: dict[str, Any], *, field: str) -> list[Segment]:
    """``text`` (the item's title or summary) cut at the evidence spans of ``field``; overlapping spans
    keep the first (earliest, then longest) one."""
    spans = sorted(
        (
            (int(ev["start"]), int(ev["end"]), mark)
            for mark, ev in _marks(tags)
            if ev.get("field") == field and 0 <= int(ev["start"]) < int(ev["end"]) <= len(text)
        ),
        key=lambda span: (span[0], -span[1]),
    )
    result: list[Segment] = []
    position = 0
    for start, end, mark in spans:
        if start < position:
            continue
        if start > position:
            result.append(Segment(text[position:start]))
        result.append(Segment(text[start:end], mark))
        position = end
    if position < len(text):
        result.append(Segment(text[position:]))
    return result
