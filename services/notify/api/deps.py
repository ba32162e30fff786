"""What every route needs: the service context, a database session, and the tenant behind the API key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from services.notify.api_keys import key_by_secret
from services.notify.dispatcher import DispatcherFactory
from services.notify.models import ApiKey, Tenant
from services.notify.settings import NotifySettings
from services.pipeline.netguard import NetworkPolicy


@dataclass
class NotifyContext:
    """Built once in main and shared by the routes."""

    settings: NotifySettings
    sessions: sessionmaker[Session]
    policy: NetworkPolicy
    unsubscribe_key: str
    make_dispatcher: DispatcherFactory


def get_context(request: Request) -> NotifyContext:
    """The context stored on the app."""
    context: NotifyContext = request.app.state.notify
    return context


ContextDep = Annotated[NotifyContext, Depends(get_context)]


def get_session(context: ContextDep) -> Iterator[Session]:
    """A session for one request; routes commit their own writes."""
    with context.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
_bearer = HTTPBearer(auto_error=False, description="The tenant's API key.")


def current_key(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> ApiKey:
    """The live API key of the ``Authorization: Bearer`` header; 401 otherwise."""
    key = key_by_secret(session, api_key=credentials.credentials) if credentials else None
    if key is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="missing or invalid API key",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return key


CurrentKey = Annotated[ApiKey, Depends(current_key)]


def current_tenant(session: SessionDep, key: CurrentKey) -> Tenant:
    """The tenant owning the request's API key."""
    tenant = session.get(Tenant, key.tenant_id)
    assert tenant is not None  # keys are deleted with their tenant
    return tenant


CurrentTenant = Annotated[Tenant, Depends(current_tenant)]


def not_found(what: str) -> HTTPException:
    """404 for a missing id and for another tenant's id alike, so ids never leak."""
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=f"{what} not found")
