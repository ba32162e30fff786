"""One-click unsubscribe (RFC 8058): GET shows a confirmation page, POST unsubscribes; no login needed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from services.notify.api.deps import ContextDep, SessionDep
from services.notify.models import Subscription
from services.notify.render import render_template
from services.notify.store import unsubscribe
from services.notify.tokens import InvalidToken, read_token

router = APIRouter(tags=["unsubscribe"])
NOT_VALID: dict[int | str, dict[str, Any]] = {
    404: {"description": "Link not valid (a page saying so)", "content": {"text/html": {}}}
}
HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"}


def _page(status_code: int, **context: object) -> HTMLResponse:
    defaults: dict[str, object] = {
        "done": False,
        "invalid": False,
        "address": "",
        "subscription_name": "",
        "action": "",
    }
    html = render_template("unsubscribe.html.j2", **{**defaults, **context})
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def _resolve(session: SessionDep, context: ContextDep, token: str) -> tuple[Subscription, str] | None:
    try:
        subscription_id, address = read_token(context.unsubscribe_key, token)
    except InvalidToken:
        return None
    subscription = session.get(Subscription, subscription_id)
    return (subscription, address) if subscription is not None else None


@router.get(
    "/unsubscribe/{token}", response_class=HTMLResponse, summary="Unsubscribe confirmation page", responses=NOT_VALID
)
def confirm_page(token: str, session: SessionDep, context: ContextDep) -> HTMLResponse:
    """A page with one button that posts the unsubscription (link scanners only GET, so nothing happens)."""
    found = _resolve(session, context, token)
    if found is None:
        return _page(404, invalid=True)
    subscription, address = found
    return _page(200, address=address, subscription_name=subscription.name, action=f"/unsubscribe/{token}")


@router.post(
    "/unsubscribe/{token}", response_class=HTMLResponse, summary="Unsubscribe (one click)", responses=NOT_VALID
)
def one_click(token: str, session: SessionDep, context: ContextDep) -> HTMLResponse:
    """Stop sending this subscription's alerts to this address; repeating it is harmless."""
    found = _resolve(session, context, token)
    if found is None:
        return _page(404, invalid=True)
    subscription, address = found
    unsubscribe(session, subscription_id=subscription.id, address=address)
    session.commit()
    return _page(200, done=True, address=address, subscription_name=subscription.name)
