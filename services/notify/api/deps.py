"""What every route needs: the service context, a database session, and the tenant behind the API key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from services.notify.dispatcher import DispatcherFactory
from services.notify.models import Tenant
from services.notify.settings import NotifySettings
from services.notify.store import tenant_by_api_key
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


def current_tenant(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Tenant:
    """The tenant owning the ``Authorization: Bearer`` key; 401 otherwise."""
    tenant = tenant_by_api_key(session, api_key=credentials.credentials) if credentials else None
    if tenant is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="missing or invalid API key",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return tenant


CurrentTenant = Annotated[Tenant, Depends(current_tenant)]


def not_found(what: str) -> HTTPException:
    """404 for a missing id and for another tenant's id alike, so ids never leak."""
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=f"{what} not found")
