"""The inbox: newest items first, with filters, full-text search and cursor paging."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.web.context import zone
from services.web.deps import ContextDep, SessionDep, ViewerDep, render
from services.web.inbox import TAG_FILTERS, InboxFilters, inbox_page

router = APIRouter(tags=["inbox"])
FILTER_FIELDS = ("q", *TAG_FILTERS, "primary", "since", "until", "matched")


def _date(value: str, errors: dict[str, str], name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "Use a date like 2026-03-31."
        return None


def filters_from(params: dict[str, str]) -> tuple[InboxFilters, dict[str, str]]:
    """The inbox filters a query string asks for, and an error per field that could not be read."""
    errors: dict[str, str] = {}
    filters = InboxFilters(
        q=params.get("q", "").strip()[:200],
        tags={kind: params.get(kind, "").strip() for kind in TAG_FILTERS if params.get(kind, "").strip()},
        primary_only=params.get("primary") == "1",
        since=_date(params.get("since", ""), errors, "since"),
        until=_date(params.get("until", ""), errors, "until"),
        matched_only=params.get("matched") == "1",
    )
    return filters, errors


@router.get("/", response_class=HTMLResponse, summary="Inbox")
def inbox(request: Request, context: ContextDep, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    """Items newest first, narrowed by the filters in the query string."""
    params = {key: value for key, value in request.query_params.items() if key in (*FILTER_FIELDS, "cursor")}
    filters, errors = filters_from(params)
    page = inbox_page(
        session,
        tenant_id=viewer.tenant.id,
        filters=filters,
        cursor=params.get("cursor"),
        tz=zone(viewer.member.time_zone),
    )
    kept = {key: value for key, value in params.items() if key != "cursor" and value}
    return render(
        context,
        request,
        "inbox.html.j2",
        viewer,
        page=page,
        params=kept,
        errors=errors,
        filtered=bool(kept),
        next_url=f"/?{urlencode({**kept, 'cursor': page.next_cursor})}" if page.next_cursor else None,
        first_url=f"/?{urlencode(kept)}" if params.get("cursor") else None,
        chip_url=lambda kind, value: f"/?{urlencode({**kept, kind: value})}",
    )
