"""Warnings about the company and regulator names of a subscription's filters, from classify's public
``POST /v1/entities/resolve`` (notify shares no code or tables with classify).

A name the knowledge base does not know, or knows only as an alias, is accepted all the same: the
answer carries a warning naming the closest known entities ("did you mean ByteDance?"). Tags carry an
entity's id and canonical name (and a regulator's acronyms), which is what filters match. When classify
does not answer within the timeout, the warning says the names could not be checked.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from services.notify.phrases import normalise
from services.notify.schemas import Filters

log = logging.getLogger(__name__)

KINDS = (("company", "companies"), ("regulator", "regulators"))
NOT_CHECKED = "company and regulator names could not be checked against the knowledge base (classify did not answer)"


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _warning(kind: str, resolution: dict[str, Any]) -> str | None:
    """The warning for one resolved name, None when it is a name tags carry."""
    name, entity = resolution["name"], resolution.get("entity")
    if entity is None:
        close = list(dict.fromkeys(s["name"] for s in resolution.get("suggestions") or []))
        hint = f"did you mean {_quoted(close)}?" if close else "no known name is close"
        return f'{kind} "{name}" is not in the knowledge base; {hint}'
    carried = {
        normalise(entity["id"]),
        normalise(entity["name"]),
        *(normalise(a) for a in entity.get("acronyms") or []),
    }
    if normalise(name) in carried:
        return None
    return f'{kind} "{name}" is another name of "{entity["name"]}" (id "{entity["id"]}"): tags carry that name, use it'


def _resolve(client: httpx.Client, kind: str, names: list[str]) -> list[dict[str, Any]]:
    response = client.post("/v1/entities/resolve", json={"names": names, "kind": kind})
    response.raise_for_status()
    resolutions: list[dict[str, Any]] = response.json()
    if len(resolutions) != len(names):
        raise ValueError(f"{len(resolutions)} resolutions for {len(names)} names")
    return resolutions


def name_warnings(filters: Filters | None, *, classify_url: str | None, timeout_s: float) -> list[str]:
    """Warnings about the companies and regulators of ``filters`` (none to check: no warning)."""
    wanted = [(kind, list(getattr(filters, field))) for kind, field in KINDS if filters and getattr(filters, field)]
    if not wanted:
        return []
    if not classify_url:
        return [NOT_CHECKED]
    warnings: list[str] = []
    try:
        with httpx.Client(base_url=classify_url, timeout=timeout_s, follow_redirects=False) as client:
            for kind, names in wanted:
                warnings += [w for r in _resolve(client, kind, names) if (w := _warning(kind, r)) is not None]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        log.warning("Names not checked", extra={"error": f"{type(exc).__name__}: {exc}"[:300]})
        return [NOT_CHECKED]
    return warnings
