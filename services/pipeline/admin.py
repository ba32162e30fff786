"""The operator's admin bearer token guarding a service's admin routes (ingest's feeds, notify's tenants)."""

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer


def admin_guard(token_of: Callable[[Request], str], *, setting: str, api: str) -> Callable[..., None]:
    """A dependency: 401 without the token ``token_of`` reads (named ``setting``), 503 when none is set (``api``
    is then off)."""
    # evaluated annotations (no ``from __future__ import annotations``): FastAPI must see the local ``bearer``
    bearer = HTTPBearer(
        auto_error=False, scheme_name="AdminToken", description=f"The operator's admin token ({setting})."
    )

    def require_admin(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
    ) -> None:
        token = token_of(request)
        if not token:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, detail=f"the {api} is disabled: set {setting} to enable it"
            )
        given = credentials.credentials if credentials else ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="missing or invalid admin token",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return require_admin
