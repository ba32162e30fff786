"""Feeds, for operators: health, adding a feed with a preview of its items, OPML import and export, and the
starter catalog — all through ingest's feed API with its admin token. Other members get 404."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from services.web.deps import ContextDep, FormDep, OperatorDep, Viewer, admin_token, call_service, render
from services.web.feed_health import error_words, state_words
from services.web.ingest_client import IngestClient, IngestError

NOT_FOUND = "No such feed."
router = APIRouter(prefix="/feeds", tags=["feeds"])
FEED_FIELDS = ("url", "title", "regulator", "jurisdiction", "language")
MAX_OPML_BYTES = 2 * 1024 * 1024


def ingest_for(viewer: OperatorDep, context: ContextDep) -> IngestClient:
    """ingest's feed API with its admin token; 503 when this web app was given none."""
    token = admin_token(context.settings.web_ingest_admin_token, "Feeds", "REGALERTS_WEB_INGEST_ADMIN_TOKEN")
    return IngestClient(context.settings.web_ingest_url, token)


IngestDep = Annotated[IngestClient, Depends(ingest_for)]


async def _list_page(
    request: Request, context: ContextDep, viewer: Viewer, ingest: IngestClient, status_code: int = 200, **notice: Any
) -> HTMLResponse:
    feeds = await call_service(ingest.feeds, not_found=NOT_FOUND)
    return render(
        context, request, "feeds.html.j2", viewer, status_code,
        feeds=feeds, state_words=state_words, error_words=error_words, notice=notice,
    )  # fmt: skip


@router.get("", response_class=HTMLResponse, summary="Feeds and their health")
async def list_all(request: Request, context: ContextDep, viewer: OperatorDep, ingest: IngestDep) -> HTMLResponse:
    """Every feed: state, last success, last error in words, next poll, items of the last 7 days."""
    with ingest:
        return await _list_page(request, context, viewer, ingest)


@router.post("/{feed_id}/poll", summary="Poll a feed now")
async def poll(
    feed_id: str, request: Request, context: ContextDep, viewer: OperatorDep, ingest: IngestDep, form: FormDep
) -> Response:
    """Poll now and show the list with the feed's new status."""
    with ingest:
        polled = await call_service(ingest.poll, feed_id, not_found=NOT_FOUND)
        return await _list_page(request, context, viewer, ingest, polled=polled)


@router.post("/{feed_id}/enabled", summary="Pause or resume a feed")
async def set_enabled(feed_id: str, viewer: OperatorDep, ingest: IngestDep, form: FormDep) -> Response:
    """Pause (enabled=0) or resume (enabled=1) polling."""
    with ingest:
        await call_service(ingest.set_enabled, feed_id, form.get("enabled") == "1", not_found=NOT_FOUND)
    return RedirectResponse("/feeds", status_code=status.HTTP_303_SEE_OTHER)


def _form_page(
    request: Request, context: ContextDep, viewer: Viewer, form: dict[str, str], **values: Any
) -> HTMLResponse:
    values = {"errors": {}, "preview": None, "forceable": False, **values}
    status_code = 422 if values["errors"] else 200
    return render(context, request, "feed_form.html.j2", viewer, status_code, form=form, **values)


@router.get("/new", response_class=HTMLResponse, summary="Add a feed")
def new(request: Request, context: ContextDep, viewer: OperatorDep) -> HTMLResponse:
    """An empty form."""
    return _form_page(request, context, viewer, dict.fromkeys(FEED_FIELDS, ""))


def _errors(exc: IngestError) -> tuple[dict[str, str], bool]:
    """ingest's refusal beside the field it concerns; whether registering it anyway (force) is allowed."""
    if exc.status_code == status.HTTP_409_CONFLICT:
        return {"url": "This feed is already registered."}, False
    errors = exc.field_errors()
    if exc.status_code == status.HTTP_422_UNPROCESSABLE_CONTENT and "form" in errors:
        errors = {"url": errors.pop("form"), **errors}  # a refused URL or interval, said as text
    forceable = isinstance(exc.detail, list) and any(e.get("type") == "not_a_feed" for e in exc.detail)
    if forceable:
        errors["url"] = errors["url"].replace(' (send "force": true to register it anyway)', "")
    return errors, forceable


@router.post("/new", summary="Preview or add a feed")
async def create(
    request: Request, context: ContextDep, viewer: OperatorDep, ingest: IngestDep, form: FormDep
) -> Response:
    """Preview (intent=preview: what the URL gives now, nothing registered) or add; errors beside the field."""
    typed = {name: form.get(name, "").strip() for name in FEED_FIELDS}
    body: dict[str, Any] = {name: value for name, value in typed.items() if value}
    if not typed["url"]:
        return _form_page(request, context, viewer, typed, errors={"url": "Give the feed's address."})
    with ingest:
        try:
            if form.get("intent") == "preview":
                found = await call_service(ingest.preview, body, not_found=NOT_FOUND)
                return _form_page(request, context, viewer, typed, preview=found)
            added = await call_service(
                ingest.register, {**body, "force": form.get("force") == "1"}, not_found=NOT_FOUND
            )
        except IngestError as exc:
            errors, forceable = _errors(exc)
            return _form_page(request, context, viewer, typed, errors=errors, forceable=forceable)
        return await _list_page(request, context, viewer, ingest, added=added)


@router.get("/opml", summary="Export the feeds as OPML")
async def export(viewer: OperatorDep, ingest: IngestDep) -> Response:
    """Every feed as an OPML 2.0 download."""
    with ingest:
        document = await call_service(ingest.export_opml, not_found=NOT_FOUND)
    headers = {"Content-Disposition": 'attachment; filename="regalerts-feeds.opml"'}
    return Response(document, media_type="text/x-opml; charset=utf-8", headers=headers)


@router.post("/opml", summary="Import feeds from OPML")
async def import_opml(
    request: Request, context: ContextDep, viewer: OperatorDep, ingest: IngestDep, form: FormDep
) -> Response:
    """Register the feeds of an uploaded OPML file; what was added, skipped and refused."""
    upload = (await request.form()).get("document")
    document = await upload.read(MAX_OPML_BYTES + 1) if isinstance(upload, UploadFile) else b""
    with ingest:
        if not document or len(document) > MAX_OPML_BYTES:
            error = "Choose an OPML file." if not document else "The file is larger than 2 MB."
            return await _list_page(request, context, viewer, ingest, 422, opml_error=error)
        try:
            report = await call_service(ingest.import_opml, document, not_found=NOT_FOUND)
        except IngestError as exc:
            if exc.status_code != status.HTTP_422_UNPROCESSABLE_CONTENT:
                raise
            error = "; ".join(exc.field_errors().values())
            return await _list_page(request, context, viewer, ingest, 422, opml_error=error)
        return await _list_page(request, context, viewer, ingest, imported=report)


@router.get("/catalog", response_class=HTMLResponse, summary="The starter catalog")
async def catalog(request: Request, context: ContextDep, viewer: OperatorDep, ingest: IngestDep) -> HTMLResponse:
    """The catalog's feeds, those not yet registered to choose from."""
    with ingest:
        entries = await call_service(ingest.catalog, not_found=NOT_FOUND)
    return render(context, request, "catalog.html.j2", viewer, entries=entries, report=None)


@router.post("/catalog", summary="Add catalog feeds")
async def install(
    request: Request, context: ContextDep, viewer: OperatorDep, ingest: IngestDep, form: FormDep
) -> Response:
    """Register the chosen entries (one ``url`` field per box ticked)."""
    urls = [value for value in (await request.form()).getlist("url") if isinstance(value, str)]
    with ingest:
        report = await call_service(ingest.install_catalog, urls, not_found=NOT_FOUND) if urls else None
        entries = await call_service(ingest.catalog, not_found=NOT_FOUND)
    status_code = 200 if urls else 422
    return render(context, request, "catalog.html.j2", viewer, status_code, entries=entries, report=report)
