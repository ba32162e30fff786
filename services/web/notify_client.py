"""The web app as a client of notify's public HTTP API, acting for one tenant with that tenant's key."""

from __future__ import annotations

from typing import Any

import httpx

TIMEOUT_S = 30.0


class NotifyError(Exception):
    """notify refused a call: its status and what it said (a message, or pydantic's list of errors)."""

    def __init__(self, status_code: int, detail: Any) -> None:
        super().__init__(f"notify answered {status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail

    def field_errors(self) -> dict[str, str]:
        """Validation errors by field (the last part of each error's location), or {"form": message}."""
        if not isinstance(self.detail, list):
            return {"form": str(self.detail)}
        errors: dict[str, str] = {}
        for error in self.detail:
            location = [str(part) for part in error.get("loc", []) if part not in ("body",)]
            name = next((part for part in reversed(location) if not part.isdigit()), "form")
            errors.setdefault(name, str(error.get("msg", "invalid")).removeprefix("Value error, "))
        return errors


class NotifyClient:
    """Subscriptions and deliveries of one tenant, through notify's API."""

    def __init__(self, base_url: str, api_key: str, *, transport: httpx.BaseTransport | None = None) -> None:
        self._client = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=TIMEOUT_S,
            transport=transport,
        )

    def __enter__(self) -> NotifyClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._client.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self._client.request(method, path, **kwargs)
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text[:500]
            raise NotifyError(response.status_code, detail)
        return response

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        return response.json() if response.content else None

    def _every_page(self, path: str, page_size: int) -> list[dict[str, Any]]:
        """Every row of a notify list, following each page's Link header to the next."""
        found: list[dict[str, Any]] = []
        url: str | None = f"{path}?limit={page_size}"
        while url is not None:
            response = self._send("GET", url)
            found += response.json()
            url = response.links.get("next", {}).get("url")
        return found

    def subscriptions(self, *, page_size: int = 500) -> list[dict[str, Any]]:
        """The tenant's subscriptions, every page."""
        return self._every_page("/v1/subscriptions", page_size)

    def subscription(self, subscription_id: str) -> dict[str, Any]:
        """One subscription (NotifyError 404 for another tenant's)."""
        result: dict[str, Any] = self._call("GET", f"/v1/subscriptions/{subscription_id}")
        return result

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a subscription; the answer holds a JSON webhook's secret, once."""
        result: dict[str, Any] = self._call("POST", "/v1/subscriptions", json=body)
        return result

    def update(self, subscription_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Change a subscription."""
        result: dict[str, Any] = self._call("PATCH", f"/v1/subscriptions/{subscription_id}", json=body)
        return result

    def set_paused(self, subscription_id: str, paused: bool) -> None:
        """Pause or resume."""
        self._call("POST", f"/v1/subscriptions/{subscription_id}/{'pause' if paused else 'resume'}")

    def test(self, subscription_id: str) -> dict[str, Any]:
        """Send a sample alert; the real outcome."""
        result: dict[str, Any] = self._call("POST", f"/v1/subscriptions/{subscription_id}/test")
        return result

    def rotate_secret(self, subscription_id: str) -> dict[str, Any]:
        """A new signing secret, shown once."""
        result: dict[str, Any] = self._call("POST", f"/v1/subscriptions/{subscription_id}/rotate-secret")
        return result

    def deliveries(self, subscription_id: str, *, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The subscription's deliveries, newest first, with their attempts."""
        params: dict[str, Any] = {"subscription_id": subscription_id, "limit": limit}
        if status:
            params["status"] = status
        page: dict[str, Any] = self._call("GET", "/v1/deliveries", params=params)
        items: list[dict[str, Any]] = page["items"]
        return items

    def retry(self, delivery_id: str) -> dict[str, Any]:
        """Make a delivery due now."""
        result: dict[str, Any] = self._call("POST", f"/v1/deliveries/{delivery_id}/retry")
        return result

    def watchlist(self, *, page_size: int = 500) -> list[dict[str, Any]]:
        """The tenant's watchlist entities, every page."""
        return self._every_page("/v1/watchlists", page_size)

    def add_to_watchlist(self, body: dict[str, Any]) -> dict[str, Any]:
        """Add an entity with its aliases."""
        result: dict[str, Any] = self._call("POST", "/v1/watchlists", json=body)
        return result

    def remove_from_watchlist(self, entity_id: str) -> None:
        """Delete an entity."""
        self._call("DELETE", f"/v1/watchlists/{entity_id}")
