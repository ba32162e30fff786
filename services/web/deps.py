"""What every page depends on: the context, a store session, the signed-in viewer and CSRF checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from services.pipeline.db import utcnow
from services.web.auth import SESSION_COOKIE, csrf_ok, session_for
from services.web.context import WebContext
from services.web.models import Member, WebSession, WebTenant
from services.web.service_client import ServiceError


def get_context(request: Request) -> WebContext:
    """The context stored on the app."""
    context: WebContext = request.app.state.web
    return context


ContextDep = Annotated[WebContext, Depends(get_context)]


def get_session(context: ContextDep) -> Iterator[Session]:
    """A store session for one request; pages commit their own writes."""
    with context.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


class SignInRequired(Exception):
    """No live session: the page answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass
class Viewer:
    """The signed-in member, their tenant and session."""

    member: Member
    tenant: WebTenant
    web_session: WebSession

    @property
    def csrf_token(self) -> str:
        """The token every form of this session carries."""
        return self.web_session.csrf_token


def current_viewer(request: Request, session: SessionDep, context: ContextDep) -> Viewer:
    """The member behind the session cookie; SignInRequired otherwise."""
    token = request.cookies.get(SESSION_COOKIE, "")
    row = session_for(session, token=token, now=utcnow(), ttl_s=context.settings.web_session_ttl_s) if token else None
    member = session.get(Member, row.member_id) if row else None
    tenant = session.get(WebTenant, member.tenant_id) if member else None
    if row is None or member is None or tenant is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target if request.method == "GET" else "/")
    session.commit()  # the session's last use
    return Viewer(member, tenant, row)


ViewerDep = Annotated[Viewer, Depends(current_viewer)]


def operator(viewer: ViewerDep) -> Viewer:
    """The signed-in operator; other members are told there is no such page (404)."""
    if not viewer.member.operator:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Not Found")
    return viewer


OperatorDep = Annotated[Viewer, Depends(operator)]


def admin_token(token: str | None, managed: str, setting: str) -> str:
    """The admin token this web app was given for another service; 503 naming the missing setting."""
    if not token:
        detail = f"{managed} are not managed from this web app: {setting} is not set."
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=detail)
    return token


async def checked_form(request: Request, viewer: ViewerDep) -> dict[str, str]:
    """The posted form, refused (403) unless it carries the session's CSRF token."""
    form = await request.form()
    # A field given several times (checkboxes) arrives as its values joined by commas.
    fields = {key: ",".join(v for v in form.getlist(key) if isinstance(v, str)) for key in form}
    if not csrf_ok(viewer.web_session, fields.get("csrf_token")):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="The form has expired or did not come from this site.")
    return fields


FormDep = Annotated[dict[str, str], Depends(checked_form)]


def render(
    context: WebContext, request: Request, name: str, viewer: Viewer | None, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """A page from its template, with the viewer and their CSRF token."""
    response: HTMLResponse = context.templates.TemplateResponse(
        request,
        name,
        {"viewer": viewer, "csrf_token": viewer.csrf_token if viewer else "", **values},
        status_code=status_code,
    )
    return response


async def call_service(function: Callable[..., Any], *args: Any, not_found: str) -> Any:
    """A call to another service's API off the event loop; its 404 is this app's 404, saying ``not_found``."""
    try:
        return await run_in_threadpool(function, *args)
    except ServiceError as exc:
        if exc.status_code == status.HTTP_404_NOT_FOUND:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=not_found) from exc
        raise


def signin_redirect(next_path: str) -> str:
    """The sign-in page's URL that comes back to ``next_path``."""
    return f"/signin?next={quote(next_path, safe='')}"
