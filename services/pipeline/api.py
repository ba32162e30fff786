"""The FastAPI application every service starts from, with the protections all their APIs share.

- A request-body cap enforced while the body is read (a missing or lying Content-Length, or a chunked body,
  does not get around it): 413 past ``max_body_bytes``.
- Validation errors that say what is wrong without echoing the input back (a 40 MB body must not come back
  as a 120 MB error, and a value such as ``1e999`` must not turn the error into a 500). Every 422 has one
  shape, ``{"detail": [{"loc", "msg", "type"}]}``, whether the request's schema or a route refused the input.
- JSON responses written in ASCII, so any text that reached a response (a lone surrogate in an item's title)
  is escaped rather than failing to encode.
- Every answer the shared layer can give listed in the OpenAPI document (services.pipeline.openapi), and the
  docs pages (/docs, /redoc) served with their scripts from the installed ``fastapi-offline`` wheel, not a CDN.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from services.pipeline.docs_pages import mount_docs_pages
from services.pipeline.openapi import document_errors

DEFAULT_MAX_BODY_BYTES = 1_048_576
MAX_ERRORS_SHOWN = 20
MAX_MESSAGE_CHARS = 300
_BODY_METHODS = {"POST", "PUT", "PATCH"}


class SafeJSONResponse(JSONResponse):
    """JSON with non-ASCII characters escaped: always encodable, whatever text it carries."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def error_items(errors: Iterable[Any], *, prefix: Sequence[str | int] = ()) -> list[dict[str, Any]]:
    """pydantic's error dicts as the API shows them: location, message and type, never the input."""
    return [
        {
            "loc": [*prefix, *error.get("loc", ())],
            "msg": str(error.get("msg", ""))[:MAX_MESSAGE_CHARS],
            "type": str(error.get("type", "")),
        }
        for error in list(errors)[:MAX_ERRORS_SHOWN]
    ]


def unprocessable(reason: str | ValueError, *, loc: Sequence[str | int] = ("body",)) -> HTTPException:
    """A 422 for input a route refused, in the shape of the request-validation 422s (a pydantic error's
    fields are listed under ``loc``, its input left out)."""
    if isinstance(reason, ValidationError):
        detail = error_items(reason.errors(), prefix=loc)
    else:
        detail = [{"loc": list(loc), "msg": str(reason)[:MAX_MESSAGE_CHARS], "type": "value_error"}]
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=detail)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return SafeJSONResponse({"detail": error_items(exc.errors())}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at the request's path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> Response:
    """HTTPException answers in ASCII JSON; a 422 given as a sentence becomes the one 422 shape, a 405 lists
    every method the path has."""
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    if exc.status_code in (status.HTTP_204_NO_CONTENT, status.HTTP_304_NOT_MODIFIED):
        return Response(status_code=exc.status_code, headers=headers)
    detail: Any = exc.detail
    if exc.status_code == status.HTTP_422_UNPROCESSABLE_CONTENT and not isinstance(detail, list):
        loc = ["body"] if request.method in _BODY_METHODS else []
        detail = [{"loc": loc, "msg": str(detail)[:MAX_MESSAGE_CHARS], "type": "value_error"}]
    return SafeJSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)


def service_app(*, title: str, description: str = "", max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> FastAPI:
    """A service's FastAPI application with the shared protections installed."""
    app = FastAPI(
        title=title,
        version="1",
        description=description,
        default_response_class=SafeJSONResponse,
        max_body_size=max_body_bytes,  # counted as the body is read: chunked bodies included
        docs_url=None,
        redoc_url=None,
    )
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    build_schema = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(build_schema())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    mount_docs_pages(app)
    return app
