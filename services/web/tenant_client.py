"""The operators' tenant page as a client of notify's tenant API (``/v1/tenants``), with its admin token."""

from __future__ import annotations

from typing import Any

from services.web.service_client import ServiceClient, ServiceError


class TenantAdminError(ServiceError):
    """notify refused a tenant call (or did not answer: status 503)."""


class TenantAdminClient(ServiceClient):
    """Tenants listed and created through notify's admin API."""

    error = TenantAdminError

    def tenants(self, *, page_size: int = 500) -> list[dict[str, Any]]:
        """Every tenant (id, name, created_at), oldest first."""
        return self._every_page("/v1/tenants", page_size)

    def create_tenant(self, name: str) -> dict[str, Any]:
        """A new tenant with its first API key (``api_key``); TenantAdminError 409 when the name is taken."""
        result: dict[str, Any] = self._call("POST", "/v1/tenants", json={"name": name})
        return result
