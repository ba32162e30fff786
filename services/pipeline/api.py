"""The FastAPI application every service starts from, with the protections all their APIs share.

- A request-body cap enforced while the body is read (a missing or lying Content-Length, or a chunked body,
  does not get around it): 413 past ``max_body_bytes``.
- Validation errors that say what is wrong without echoing the input back (a 40 MB body must not come back
  as a 120 MB error, and a value such as ``1e999`` must not turn the error into a 500).
- JSON responses written in ASCII, so any text that reached a response (a lone surrogate in an item's title)
  is escaped rather than failing to encode.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

DEFAULT_MAX_BODY_BYTES = 1_048_576
MAX_ERRORS_SHOWN = 20


class SafeJSONResponse(JSONResponse):
    """JSON with non-ASCII characters escaped: always encodable, whatever text it carries."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", ""))[:300], "type": str(error.get("type", ""))}
        for error in exc.errors()[:MAX_ERRORS_SHOWN]
    ]
    return SafeJSONResponse({"detail": errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def service_app(*, title: str, description: str = "", max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> FastAPI:
    """A service's FastAPI application with the shared protections installed."""
    app = FastAPI(
        title=title,
        version="1",
        description=description,
        default_response_class=SafeJSONResponse,
        max_body_size=max_body_bytes,  # counted as the body is read: chunked bodies included
    )
    app.add_exception_handler(RequestValidationError, _validation_error)
    return app
