"""Sign-in by emailed link, and sign-out.

GET /signin/{token} only shows a button: the link is used by the POST it sends, so a mail scanner that
follows links does not use it up. The sign-in form, which has no session yet, is protected by a
double-submit CSRF cookie.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from services.pipeline.db import utcnow
from services.web.accounts import member_by_email
from services.web.auth import SESSION_COOKIE, LinkState, check_link, safe_next, signin_url, use_link
from services.web.deps import ContextDep, FormDep, SessionDep, ViewerDep, render
from services.web.mail import send_signin_link

router = APIRouter(tags=["sign-in"])
FORM_COOKIE = "regalerts_form"
NO_REFERRER = {"Referrer-Policy": "no-referrer"}
LINK_PROBLEMS = {
    LinkState.USED: "This sign-in link has already been used. Ask for a new one below.",
    LinkState.EXPIRED: "This sign-in link has expired. Ask for a new one below.",
    LinkState.UNKNOWN: "This sign-in link is not valid. Ask for a new one below.",
}


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _signin_page(context: ContextDep, request: Request, status_code: int = 200, **values: object) -> HTMLResponse:
    token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
    values = {"email": "", "error": "", "sent": False, "problem": "", "next": "/", **values}
    response = render(context, request, "signin.html.j2", None, status_code, form_token=token, **values)
    response.set_cookie(FORM_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/signin")
    return response


@router.get("/signin", response_class=HTMLResponse, summary="Sign-in page")
def signin_form(request: Request, context: ContextDep, next: str = "/") -> HTMLResponse:
    """Ask for an email address."""
    return _signin_page(context, request, next=safe_next(next))


@router.post("/signin", response_class=HTMLResponse, summary="Send a sign-in link")
async def request_link(
    request: Request,
    context: ContextDep,
    session: SessionDep,
    email: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    form_token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Email a link to a member; the answer is the same whether or not the address is a member's."""
    cookie = request.cookies.get(FORM_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, form_token):
        return _signin_page(context, request, 403, email=email, error="The form expired: please send it again.")
    if "@" not in email.strip():
        return _signin_page(
            context, request, 422, email=email, error="Enter your email address, like name@example.com."
        )
    member = member_by_email(session, email=email)
    if member is not None:
        link = signin_url(session, context.settings, member=member, next_path=next)
        session.commit()
        await run_in_threadpool(send_signin_link, context.settings, to=member.email, link=link)
    return _signin_page(context, request, email=email, sent=True)


@router.get("/signin/{token}", response_class=HTMLResponse, summary="Confirm a sign-in link")
def confirm_link(token: str, request: Request, context: ContextDep, session: SessionDep) -> HTMLResponse:
    """A button that signs in, or what is wrong with the link."""
    state, _ = check_link(session, token=token, now=utcnow())
    if state is not LinkState.VALID:
        response = _signin_page(context, request, 410, problem=LINK_PROBLEMS[state])
    else:
        response = render(context, request, "confirm.html.j2", None, action=f"/signin/{token}")
    response.headers.update(NO_REFERRER)
    return response


@router.post("/signin/{token}", summary="Sign in with a link")
def sign_in(token: str, request: Request, context: ContextDep, session: SessionDep) -> Response:
    """Use the link (once), open a session and go where the member was going."""
    state, opened = use_link(session, token=token, now=utcnow(), user_agent=request.headers.get("user-agent", ""))
    if opened is None:
        return _signin_page(context, request, 410, problem=LINK_PROBLEMS[state])
    session.commit()
    response = RedirectResponse(opened.next_path, status_code=status.HTTP_303_SEE_OTHER, headers=NO_REFERRER)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=int(context.settings.web_session_ttl_s),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    return response


@router.post("/signout", summary="Sign out")
def sign_out(viewer: ViewerDep, _form: FormDep, session: SessionDep) -> Response:
    """End this session."""
    viewer.web_session.revoked_at = utcnow()
    session.commit()
    response = RedirectResponse("/signin", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response
