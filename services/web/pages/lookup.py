"""GET /lookup: companies and regulators by any name, for the subscription form's autocomplete, through
classify's public look-up (GET /v1/entities?q=&kind=)."""

from __future__ import annotations

import logging
from typing import Any, Literal

import httpx
from fastapi import APIRouter

from services.web.deps import ContextDep, ViewerDep

router = APIRouter(tags=["lookup"])
log = logging.getLogger(__name__)
TIMEOUT_S = 5.0


def label_of(entity: dict[str, Any]) -> str:
    """What the suggestion shows: the canonical name, the name that matched, the jurisdiction."""
    name = str(entity.get("name", entity.get("id", "")))
    matched = str(entity.get("matched") or "")
    parts = [name]
    if matched and matched.casefold() != name.casefold():
        parts.append(f"“{matched}”")
    if entity.get("jurisdiction"):
        parts.append(f"({entity['jurisdiction']})")
    return " ".join(parts)


@router.get("/lookup", summary="Autocomplete over the knowledge base")
async def lookup(
    q: str, context: ContextDep, _viewer: ViewerDep, kind: Literal["company", "regulator"] = "company"
) -> list[dict[str, str]]:
    """Up to 10 entities as {id, label}; an empty list when classify cannot answer (the field still takes ids)."""
    if not q.strip() or len(q) > 200:
        return []
    url = f"{context.settings.web_classify_url}/v1/entities"
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_S) as client:
            response = await client.get(url, params={"q": q, "kind": kind, "limit": 10})
            response.raise_for_status()
            found = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("Entity look-up failed", extra={"error": str(exc)[:300]})
        return []
    return [{"id": str(e["id"]), "label": label_of(e)} for e in found if isinstance(e, dict) and "id" in e]
