"""The web app as a client of notify's public HTTP API, acting for one tenant with that tenant's key."""

from __future__ import annotations

from typing import Any

from services.web.service_client import ServiceClient, ServiceError


class NotifyError(ServiceError):
    """notify refused a call."""


class NotifyClient(ServiceClient):
    """Subscriptions and deliveries of one tenant, through notify's API with the tenant's API key."""

    error = NotifyError

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

    def preview(self, filters: dict[str, Any], items: list[dict[str, Any]]) -> list[str]:
        """The ids of the given items (at most 500) a subscription with these filters would match."""
        result: dict[str, list[str]] = self._call(
            "POST", "/v1/subscriptions/preview", json={"filters": filters, "items": items}
        )
        return result["matched"]

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

    def update_watchlist_entity(self, entity_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Change an entity's name, aliases or kind."""
        result: dict[str, Any] = self._call("PATCH", f"/v1/watchlists/{entity_id}", json=body)
        return result

    def remove_from_watchlist(self, entity_id: str) -> None:
        """Delete an entity."""
        self._call("DELETE", f"/v1/watchlists/{entity_id}")

    def api_keys(self) -> list[dict[str, Any]]:
        """The tenant's API keys (name and prefix, never the key), live and revoked."""
        result: list[dict[str, Any]] = self._call("GET", "/v1/api-keys")
        return result

    def create_api_key(self, name: str) -> dict[str, Any]:
        """A new API key; the answer holds the key itself, once."""
        result: dict[str, Any] = self._call("POST", "/v1/api-keys", json={"name": name})
        return result

    def revoke_api_key(self, key_id: str) -> None:
        """Revoke a key (NotifyError 409 for the key making the call)."""
        self._call("DELETE", f"/v1/api-keys/{key_id}")
