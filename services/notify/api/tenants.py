"""/v1/tenants: the operators' tenant API — tenants listed and created (the first API key shown once).

Behind the operator's admin token (REGALERTS_NOTIFY_ADMIN_TOKEN), not a tenant's API key; unset, every call
answers 503.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from services.notify.api.deps import SessionDep, get_context
from services.notify.api_keys import ApiKeyCreate
from services.notify.store import TenantExists, create_tenant, list_tenants
from services.pipeline.admin import admin_guard
from services.pipeline.openapi import error_responses
from services.pipeline.paging import LINK_HEADER, PagerDep

require_admin = admin_guard(
    lambda request: get_context(request).settings.notify_admin_token,
    setting="REGALERTS_NOTIFY_ADMIN_TOKEN",
    api="tenant API",
)
router = APIRouter(
    prefix="/v1/tenants", tags=["tenants"], dependencies=[Depends(require_admin)], responses=error_responses(503)
)


class TenantCreate(ApiKeyCreate):
    """A tenant to create."""

    blank_name: ClassVar[str] = "give the tenant a name"

    name: str = Field(min_length=1, max_length=200, description="The tenant's name, unique (e.g. 'acme').")


class TenantPublic(BaseModel):
    """A tenant as listed."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    created_at: datetime


class TenantCreated(TenantPublic):
    """A tenant just created, with its first API key: the only time that key is shown."""

    api_key: str


@router.get("", summary="List tenants", responses={200: {"headers": LINK_HEADER}})
def list_all(session: SessionDep, pager: PagerDep) -> list[TenantPublic]:
    """Every tenant, oldest first, a page at a time (`Link` to the next page)."""
    tenants, _ = pager.cut(list_tenants(session, page=pager.page))
    return [TenantPublic.model_validate(tenant) for tenant in tenants]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a tenant", responses=error_responses(409))
def create(body: TenantCreate, session: SessionDep) -> TenantCreated:
    """A new tenant and its first API key, shown this once; 409 when the name is taken."""
    try:
        tenant, api_key = create_tenant(session, name=body.name)
        session.commit()
    except TenantExists as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail={"message": str(exc), "id": exc.tenant_id}) from exc
    except IntegrityError as exc:  # a concurrent request took the name between our check and commit
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, detail={"message": "tenant name taken"}) from exc
    return TenantCreated(**TenantPublic.model_validate(tenant).model_dump(), api_key=api_key)
