"""The operators' feed pages as a client of ingest's public feed API (``/v1/feeds``), with its admin token."""

from __future__ import annotations

from typing import Any

from services.web.service_client import ServiceClient, ServiceError

# A registration or preview fetches the feed once: ingest answers within its own fetch timeout.
FETCHING_TIMEOUT_S = 120.0


class IngestError(ServiceError):
    """ingest refused a call (or did not answer: status 503)."""


class IngestClient(ServiceClient):
    """Feeds, their health, previews, OPML and the catalog, through ingest's API."""

    error = IngestError

    def __init__(self, base_url: str, admin_token: str) -> None:
        super().__init__(base_url, admin_token, timeout_s=FETCHING_TIMEOUT_S)

    def feeds(self, *, page_size: int = 500) -> list[dict[str, Any]]:
        """Every feed with its status, in registration order."""
        return self._every_page("/v1/feeds", page_size)

    def register(self, body: dict[str, Any]) -> dict[str, Any]:
        """Register a feed (fetched once first); IngestError 422 when it is not a feed, 409 when registered."""
        result: dict[str, Any] = self._call("POST", "/v1/feeds", json=body)
        return result

    def preview(self, body: dict[str, Any]) -> dict[str, Any]:
        """What the URL gives now, parsed; nothing is registered."""
        result: dict[str, Any] = self._call("POST", "/v1/feeds/preview", json=body)
        return result

    def poll(self, feed_id: str) -> dict[str, Any]:
        """Poll a feed now; its status after the poll."""
        result: dict[str, Any] = self._call("POST", f"/v1/feeds/{feed_id}/poll")
        return result

    def set_enabled(self, feed_id: str, enabled: bool) -> dict[str, Any]:
        """Pause or resume polling a feed."""
        result: dict[str, Any] = self._call("PATCH", f"/v1/feeds/{feed_id}", json={"enabled": enabled})
        return result

    def export_opml(self) -> bytes:
        """Every feed as an OPML 2.0 document."""
        return self._send("GET", "/v1/feeds/opml").content

    def import_opml(self, document: bytes) -> dict[str, Any]:
        """Register the feeds of an OPML document; what was created, skipped and refused."""
        headers = {"Content-Type": "text/x-opml"}
        result: dict[str, Any] = self._call("POST", "/v1/feeds/opml", content=document, headers=headers)
        return result

    def catalog(self) -> list[dict[str, Any]]:
        """The starter catalog, each entry with its feed id when registered."""
        result: list[dict[str, Any]] = self._call("GET", "/v1/feeds/catalog")
        return result

    def install_catalog(self, urls: list[str]) -> dict[str, Any]:
        """Register the chosen catalog feeds."""
        result: dict[str, Any] = self._call("POST", "/v1/feeds/catalog", json={"urls": urls})
        return result
