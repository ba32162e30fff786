"""/v1/api-keys: a tenant's API keys — created (the key shown once), listed (never the key), revoked.

Another tenant's key answers 404. The key making a request cannot revoke itself (409), so a tenant always
keeps a key that works.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status

from services.notify.api.deps import CurrentKey, CurrentTenant, SessionDep, not_found
from services.notify.api_keys import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    create_api_key,
    get_api_key,
    list_api_keys,
    revoke_api_key,
)
from services.pipeline.openapi import error_responses

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an API key")
def create(body: ApiKeyCreate, session: SessionDep, tenant: CurrentTenant) -> ApiKeyCreated:
    """A new key of the tenant; the answer is the only time the key itself is shown."""
    key, secret = create_api_key(session, tenant_id=tenant.id, name=body.name)
    session.commit()
    return ApiKeyCreated(**ApiKeyPublic.model_validate(key).model_dump(), key=secret)


@router.get("", summary="List API keys")
def list_all(session: SessionDep, tenant: CurrentTenant) -> list[ApiKeyPublic]:
    """The tenant's keys, live and revoked, oldest first: name and prefix, never the key."""
    return [ApiKeyPublic.model_validate(k) for k in list_api_keys(session, tenant_id=tenant.id)]


@router.delete(
    "/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an API key",
    responses=error_responses(404, 409),
)
def revoke(key_id: str, session: SessionDep, tenant: CurrentTenant, current: CurrentKey) -> Response:
    """The key authenticates nothing from now on; the key making this request cannot revoke itself."""
    key = get_api_key(session, tenant_id=tenant.id, key_id=key_id)
    if key is None:
        raise not_found("API key")
    if key.id == current.id:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="an API key cannot revoke itself: use another key")
    revoke_api_key(key)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
