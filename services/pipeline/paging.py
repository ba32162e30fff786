"""Paging of every list endpoint: keyset on (created_at, id) behind an opaque cursor, limits bounded.

A route takes a :class:`Pager` (``limit``, ``cursor`` and a bounded ``offset`` kept for older clients), a
store function narrows its query with :func:`keyset` and its ``page``, and the route hands the rows to
:meth:`Pager.cut`, which keeps one page and sets the ``Link: <...>; rel="next"`` header when more follow.
Bounds are checked before any query (a 64-bit-overflowing offset is a 422, not a database error), and a
cursor this API did not give is a 422 too.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

MAX_LIMIT = 500
MAX_OFFSET = 100_000
MAX_CURSOR_CHARS = 200
LINK_HEADER = {
    "Link": {
        "description": 'The next page, when there is one: `<URL>; rel="next"` (the same query with its cursor).',
        "schema": {"type": "string"},
    }
}


@dataclass(frozen=True)
class PageRequest:
    """One page asked for: at most ``limit`` rows after ``after`` (a row's (created_at, id)), skipping ``offset``."""

    limit: int
    offset: int = 0
    after: tuple[datetime, str] | None = None


def encode_cursor(created_at: datetime, row_id: str) -> str:
    """The opaque cursor naming the row a page ended with."""
    raw = json.dumps([created_at.isoformat(), row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """(created_at, id) from a cursor; ValueError for anything :func:`encode_cursor` did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, row_id = json.loads(raw)
        at = datetime.fromisoformat(created)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError("not a cursor this API gave") from exc
    if at.tzinfo is None or not isinstance(row_id, str):
        raise ValueError("not a cursor this API gave")
    return at, row_id


class Keyed(Protocol):
    """A row a list pages over."""

    created_at: datetime
    id: str


Row = TypeVar("Row", bound=Keyed)


@dataclass(frozen=True)
class Pager:
    """One list request: the page asked for, and where :meth:`cut` puts the next page's Link."""

    page: PageRequest
    request: Request
    response: Response

    def cut(self, rows: Sequence[Row]) -> tuple[list[Row], str | None]:
        """The page's rows and the next page's cursor (None on the last page), also sent as a Link header."""
        kept = list(rows[: self.page.limit])
        if len(rows) <= self.page.limit:
            return kept, None
        cursor = encode_cursor(kept[-1].created_at, kept[-1].id)
        url = self.request.url.remove_query_params(["cursor", "offset"]).include_query_params(cursor=cursor)
        self.response.headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
        return kept, cursor


def pager(default_limit: int = 100) -> Callable[..., Pager]:
    """The dependency reading ``limit`` (default ``default_limit``), ``cursor`` and ``offset``."""

    def read(
        request: Request,
        response: Response,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page.")] = default_limit,
        cursor: Annotated[
            str | None, Query(max_length=MAX_CURSOR_CHARS, description="The `cursor` of the next page's Link.")
        ] = None,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip; prefer `cursor`.")] = 0,
    ) -> Pager:
        try:
            after = decode_cursor(cursor) if cursor is not None else None
        except ValueError as exc:
            error = {"loc": ("query", "cursor"), "msg": str(exc), "type": "value_error"}
            raise RequestValidationError([error]) from exc
        return Pager(PageRequest(limit=limit, offset=offset, after=after), request, response)

    return read


PagerDep = Annotated[Pager, Depends(pager())]
LongPagerDep = Annotated[Pager, Depends(pager(MAX_LIMIT))]


def keyset(
    query: Select[Any],
    page: PageRequest | None,
    *,
    created: InstrumentedAttribute[datetime],
    ident: InstrumentedAttribute[str],
    newest_first: bool = False,
) -> Select[Any]:
    """``query`` ordered by (created, id); with a page, from after its cursor and one row more than a page."""
    order = (created.desc(), ident.desc()) if newest_first else (created.asc(), ident.asc())
    if page is None:
        return query.order_by(*order)
    if page.after is not None:
        at, key = page.after
        if newest_first:
            query = query.where(or_(created < at, and_(created == at, ident < key)))
        else:
            query = query.where(or_(created > at, and_(created == at, ident > key)))
    return query.order_by(*order).limit(page.limit + 1).offset(page.offset)
