"""The member's account: time zone, and the sessions signed in (each revocable)."""

from __future__ import annotations

from zoneinfo import available_timezones

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.pipeline.db import utcnow
from services.web.auth import revoke, sessions_of
from services.web.deps import ContextDep, FormDep, SessionDep, Viewer, ViewerDep, render

router = APIRouter(prefix="/account", tags=["account"])


def _page(context: ContextDep, request: Request, session: SessionDep, viewer: Viewer, **values: object) -> HTMLResponse:
    values = {"errors": {}, "time_zone": viewer.member.time_zone, "saved": False, **values}
    sessions = sessions_of(session, member_id=viewer.member.id)
    status_code = 422 if values["errors"] else 200
    return render(context, request, "account.html.j2", viewer, status_code, sessions=sessions, **values)


@router.get("", response_class=HTMLResponse, summary="Account")
def account(request: Request, context: ContextDep, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    """Time zone and sessions."""
    return _page(context, request, session, viewer)


@router.post("/time-zone", response_class=HTMLResponse, summary="Change the time zone")
def set_time_zone(
    request: Request, context: ContextDep, session: SessionDep, viewer: ViewerDep, form: FormDep
) -> HTMLResponse:
    """Times are shown in this zone; an unknown name is refused and kept in the field."""
    name = form.get("time_zone", "").strip()
    if name not in available_timezones():
        errors = {"time_zone": "Unknown time zone: use a name like Europe/Paris or Asia/Shanghai."}
        return _page(context, request, session, viewer, errors=errors, time_zone=name)
    viewer.member.time_zone = name
    session.commit()
    return _page(context, request, session, viewer, saved=True)


@router.post("/sessions/{session_id}/revoke", summary="Revoke a session")
def revoke_session(session_id: str, session: SessionDep, viewer: ViewerDep, _form: FormDep) -> Response:
    """Sign that browser out; another member's session is 404."""
    if not revoke(session, member_id=viewer.member.id, session_id=session_id, now=utcnow()):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such session.")
    session.commit()
    target = "/signin" if session_id == viewer.web_session.id else "/account"
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
