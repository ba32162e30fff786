"""The web app's FastAPI application: pages, static assets (ours, no CDN), errors as pages, security headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.pipeline.http import ReadyCheck, ops_router
from services.web.context import STATIC, WebContext
from services.web.deps import SignInRequired, render, signin_redirect
from services.web.pages import (
    account,
    api_keys,
    deliveries,
    feeds,
    inbox,
    items,
    lookup,
    signin,
    subscriptions,
    tenants,
    watchlists,
)
from services.web.service_client import ServiceError

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _install_handlers(app: FastAPI, context: WebContext) -> None:
    async def sign_in_required(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return RedirectResponse(signin_redirect(exc.next_path), status_code=303)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return render(context, request, "error.html.j2", None, exc.status_code, message=str(exc.detail))

    async def service_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ServiceError)
        message = f"This could not be done: {exc.field_errors().get('form') or 'the request was refused.'}"
        return render(context, request, "error.html.j2", None, 502, message=message)

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(HTTPException, http_error)


def create_app(context: WebContext, ready_checks: dict[str, ReadyCheck]) -> FastAPI:
    """The app with its pages, static files and operational routes."""
    app = FastAPI(title="RegAlerts web", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = context

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if isinstance(response, HTMLResponse) or response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    _install_handlers(app, context)
    app.include_router(ops_router(ready_checks))
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for module in (
        signin,
        inbox,
        items,
        subscriptions,
        deliveries,
        watchlists,
        api_keys,
        feeds,
        tenants,
        lookup,
        account,
    ):
        app.include_router(module.router)
    return app
