"""The error answers every service's OpenAPI document lists, in the shapes the shared handlers send.

:func:`document_errors` adds to each operation what the shared layer can answer whatever the route: 401 on
operations behind a bearer scheme, 404 on operations with a path parameter, 400 and 413 on operations with a body,
422 on operations with any input. Answers only a route knows of (409, 503, 202) are declared on the route
with :func:`error_responses`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

REF = "#/components/schemas/{model}"


class ErrorItem(BaseModel):
    """One thing wrong with a request: where (``["body", "url"]``), what, and its kind."""

    loc: list[str | int] = Field(description="Where the error is: body, query, path or header, then the field.")
    msg: str
    type: str


class ValidationErrors(BaseModel):
    """A 422: the request was read but its content is refused; the input is never echoed back."""

    detail: list[ErrorItem]


class Message(BaseModel):
    """An error answer with a sentence saying what is wrong."""

    detail: str


class ConflictDetail(BaseModel):
    """What a request conflicts with, and the id of the existing resource when there is one."""

    message: str
    id: str | None = None


class Conflict(BaseModel):
    """A 409: the request conflicts with the resource's current state."""

    detail: str | ConflictDetail


_DESCRIPTIONS = {
    400: "The body could not be read as its content type (not UTF-8 JSON, say)",
    202: "Accepted: still in progress",
    401: "Missing or invalid bearer token",
    404: "Not found (another tenant's ids too)",
    409: "Conflict",
    413: "Request body over the service's cap",
    422: "Invalid input (never echoed back)",
    503: "Unavailable",
}
_MODELS: dict[int, type[BaseModel]] = {401: Message, 404: Message, 409: Conflict, 422: ValidationErrors, 503: Message}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route or router: the listed error answers with their shapes."""
    return {code: {"description": _DESCRIPTIONS[code], "model": _MODELS.get(code, Message)} for code in codes}


def _content(schema_name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=schema_name)}}}


def _too_large() -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[413],
        "content": {**_content("Message"), "text/plain": {"schema": {"type": "string"}}},
    }


def _add_components(schema: dict[str, Any]) -> None:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorItem, ValidationErrors, Message, ConflictDetail, Conflict):
        found = model.model_json_schema(ref_template=REF)
        schemas.update(found.pop("$defs", {}))
        schemas[model.__name__] = found
    for fastapi_default in ("HTTPValidationError", "ValidationError"):
        schemas.pop(fastapi_default, None)


def _document_operation(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    parameters = operation.get("parameters", [])
    if "requestBody" in operation:
        responses["400"] = {"description": _DESCRIPTIONS[400], "content": _content("Message")}
        responses["413"] = _too_large()
    if "requestBody" in operation or parameters or "422" in responses:
        responses["422"] = {"description": _DESCRIPTIONS[422], "content": _content("ValidationErrors")}
    if operation.get("security"):
        responses.setdefault("401", {"description": _DESCRIPTIONS[401], "content": _content("Message")})
    if any(p.get("in") == "path" for p in parameters):
        responses.setdefault("404", {"description": _DESCRIPTIONS[404], "content": _content("Message")})


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with the shared error answers added to every operation."""
    _add_components(schema)
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in ("get", "put", "post", "patch", "delete"):
                _document_operation(operation)
    return schema
