"""A client of another service's public HTTP API, with one bearer credential: its errors as ServiceError."""

from __future__ import annotations

from typing import Any, Self

import httpx

TIMEOUT_S = 30.0


class ServiceError(Exception):
    """A service refused a call: its status and what it said (a message, or pydantic's list of errors)."""

    def __init__(self, status_code: int, detail: Any) -> None:
        super().__init__(f"the service answered {status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail

    def field_errors(self) -> dict[str, str]:
        """Validation errors by field (the last part of each error's location), or {"form": message}."""
        if not isinstance(self.detail, list):
            message = self.detail.get("message", self.detail) if isinstance(self.detail, dict) else self.detail
            return {"form": str(message)}
        errors: dict[str, str] = {}
        for error in self.detail:
            location = [str(part) for part in error.get("loc", []) if part not in ("body",)]
            name = next((part for part in reversed(location) if not part.isdigit()), "form")
            errors.setdefault(name, str(error.get("msg", "invalid")).removeprefix("Value error, "))
        return errors


class ServiceClient:
    """Calls to one service's API as one bearer; a refusal raises ``error`` (a ServiceError)."""

    error: type[ServiceError] = ServiceError

    def __init__(
        self, base_url: str, token: str, *, transport: httpx.BaseTransport | None = None, timeout_s: float = TIMEOUT_S
    ) -> None:
        self._client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout_s, transport=transport
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._client.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise self.error(503, f"{self._client.base_url} did not answer ({type(exc).__name__})") from exc
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text[:500]
            raise self.error(response.status_code, detail)
        return response

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        return response.json() if response.content else None

    def _every_page(self, path: str, page_size: int) -> list[dict[str, Any]]:
        """Every row of a list, following each page's Link header to the next."""
        found: list[dict[str, Any]] = []
        url: str | None = f"{path}?limit={page_size}"
        while url is not None:
            response = self._send("GET", url)
            found += response.json()
            url = response.links.get("next", {}).get("url")
        return found
