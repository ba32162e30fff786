"""The feed registry API (``/v1/feeds``): operator-managed, behind the admin bearer token."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.catalog import catalog_entries, install_catalog
from services.ingest.models import Feed
from services.ingest.opml import InvalidOPML, export_opml
from services.ingest.opml import import_opml as import_document
from services.ingest.recorder import FeedSnapshot, PollOutcome, Prepared, Recorder
from services.ingest.registration import NotAFeed, check_of, enrol, target, verdict
from services.ingest.registry import InvalidFeed, Registered, change
from services.ingest.schemas import (
    CatalogEntry,
    CatalogInstall,
    FeedCreate,
    FeedPreview,
    FeedPublic,
    FeedRegister,
    FeedRegistered,
    FeedUpdate,
    PreviewItem,
    public_feeds,
)
from services.ingest.settings import IngestSettings
from services.ingest.store import FeedExists, delete_feed, get_feed, list_feeds
from services.pipeline.admin import admin_guard
from services.pipeline.netguard import NetworkPolicy
from services.pipeline.openapi import error_responses
from services.pipeline.paging import LINK_HEADER, LongPagerDep

PREVIEW_ITEMS = 20  # items a preview shows
PollNow = Callable[[str], "concurrent.futures.Future[PollOutcome]"]
Check = Callable[[FeedSnapshot], "concurrent.futures.Future[Prepared]"]


@dataclass
class IngestContext:
    """Built once in main and shared by the routes."""

    settings: IngestSettings
    sessions: sessionmaker[Session]
    policy: NetworkPolicy
    poll_now: PollNow
    check: Check
    on_stored: Callable[[], None]
    recorder: Recorder = field(init=False)

    def __post_init__(self) -> None:
        self.recorder = Recorder(self.settings, self.sessions)

    def public(self, session: Session, feeds: list[Feed]) -> list[FeedPublic]:
        """The API view of feeds."""
        return public_feeds(session, feeds, failing_threshold=self.settings.failing_threshold)


def get_context(request: Request) -> IngestContext:
    """The context stored on the app."""
    context: IngestContext = request.app.state.ingest
    return context


ContextDep = Annotated[IngestContext, Depends(get_context)]
require_admin = admin_guard(
    lambda request: get_context(request).settings.admin_token, setting="REGALERTS_ADMIN_TOKEN", api="feed API"
)


def get_session(context: ContextDep) -> Iterator[Session]:
    """A session for one request; routes commit their own writes."""
    with context.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
router = APIRouter(
    prefix="/v1/feeds", tags=["feeds"], dependencies=[Depends(require_admin)], responses=error_responses(503)
)


def _feed(session: Session, feed_id: str) -> Feed:
    feed = get_feed(session, feed_id)
    if feed is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="feed not found")
    return feed


@contextmanager
def _registry_errors() -> Iterator[None]:
    """422 for a refused feed, 409 (with the registered feed's id) for a URL already registered."""
    try:
        yield
    except NotAFeed as exc:
        hint = ' (send "force": true to register it anyway)' if exc.forceable else ""
        kind = "not_a_feed" if exc.forceable else "url_refused"
        detail = [{"loc": ["body", "url"], "msg": f"{exc.error}{hint}", "type": kind}]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=detail) from exc
    except InvalidFeed as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc
    except FeedExists as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail={"message": str(exc), "id": exc.feed_id}) from exc
    except IntegrityError as exc:  # a concurrent request registered the same URL between our check and commit
        raise HTTPException(status.HTTP_409_CONFLICT, detail={"message": "feed URL already registered"}) from exc


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register a feed: its URL is fetched once, and refused (422) unless it gives a feed or force is set",
    responses=error_responses(409, 503),
)
async def create(spec: FeedRegister, context: ContextDep) -> FeedRegistered:
    with _registry_errors():
        prepared = await _fetched(spec, context)
        verdict(prepared, force=spec.force)
        feed, outcome = await run_in_threadpool(enrol, context.sessions, spec, prepared, recorder=context.recorder)
    if outcome.counts and outcome.counts.to_publish:
        context.on_stored()
    with context.sessions() as session:
        [public] = context.public(session, [_feed(session, feed.id)])
    return FeedRegistered(**public.model_dump(), check=check_of(prepared))


async def _fetched(spec: FeedCreate, context: IngestContext) -> Prepared:
    """The URL fetched and parsed once by a parse worker, as a poll of the feed would be."""
    floor_s = context.settings.poll_interval_floor_s
    snapshot = await run_in_threadpool(target, context.sessions, spec, policy=context.policy, floor_s=floor_s)
    try:
        checking = context.check(snapshot)
    except RuntimeError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from exc
    return await asyncio.wrap_future(checking)


@router.post(
    "/preview",
    summary="Fetch and parse a URL as a feed without registering it: what registering it would find",
    responses=error_responses(409, 503),
)
async def preview(spec: FeedCreate, context: ContextDep) -> FeedPreview:
    """The check and the first items; a URL that gives no feed is not an error here (``check.error`` says why)."""
    with _registry_errors():
        prepared = await _fetched(spec, context)
    items = [
        PreviewItem(title=i.title, link=i.link, published_at=i.published_at, summary=i.summary)
        for i in (prepared.items or [])[:PREVIEW_ITEMS]
    ]
    return FeedPreview(url=prepared.snapshot.url, check=check_of(prepared), items=items)


@router.get("", summary="List feeds with their status", responses={200: {"headers": LINK_HEADER}})
def listing(context: ContextDep, session: SessionDep, pager: LongPagerDep) -> list[FeedPublic]:
    """Feeds in registration order, a page at a time (the next page's URL in the Link header)."""
    feeds, _ = pager.cut(list_feeds(session, page=pager.page))
    return context.public(session, feeds)


@router.get("/catalog", summary="The starter catalog, each entry with its feed id when registered")
def catalog(context: ContextDep, session: SessionDep) -> list[CatalogEntry]:
    return catalog_entries(session, policy=context.policy)


@router.post("/catalog", summary="Register catalog feeds (every one, or the URLs given) not yet registered")
async def install(spec: CatalogInstall, context: ContextDep) -> Registered:
    floor_s = context.settings.poll_interval_floor_s
    return await run_in_threadpool(
        lambda: install_catalog(context.sessions, policy=context.policy, floor_s=floor_s, urls=spec.urls)
    )


class OPMLResponse(Response):
    """An OPML 2.0 document."""

    media_type = "text/x-opml"


@router.get("/opml", summary="Export every feed as OPML 2.0", response_class=OPMLResponse)
def export(session: SessionDep) -> Response:
    return OPMLResponse(export_opml(list_feeds(session)), media_type="text/x-opml; charset=utf-8")


@router.post(
    "/opml",
    summary="Import feeds from an OPML document (request body)",
    openapi_extra={"requestBody": {"required": True, "content": {"text/x-opml": {"schema": {"type": "string"}}}}},
)
async def import_opml(request: Request, context: ContextDep) -> Registered:
    document = await request.body()
    floor_s = context.settings.poll_interval_floor_s
    try:
        return await run_in_threadpool(
            lambda: import_document(document, context.sessions, policy=context.policy, floor_s=floor_s)
        )
    except InvalidOPML as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc


@router.get("/{feed_id}", summary="A feed and its status")
def read(feed_id: str, context: ContextDep, session: SessionDep) -> FeedPublic:
    return context.public(session, [_feed(session, feed_id)])[0]


@router.patch("/{feed_id}", summary="Change a feed", responses=error_responses(409))
def patch(feed_id: str, spec: FeedUpdate, context: ContextDep, session: SessionDep) -> FeedPublic:
    feed = _feed(session, feed_id)
    with _registry_errors():
        change(session, feed, spec, policy=context.policy, floor_s=context.settings.poll_interval_floor_s)
        session.commit()
    return context.public(session, [feed])[0]


@router.delete("/{feed_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a feed (its unsent items too)")
def delete(feed_id: str, session: SessionDep) -> Response:
    delete_feed(session, feed=_feed(session, feed_id))
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{feed_id}/poll", summary="Poll a feed now; answers once the poll is done", responses={202: {"model": FeedPublic}}
)
async def poll(feed_id: str, context: ContextDep, response: Response) -> FeedPublic:
    def exists() -> bool:
        with context.sessions() as session:
            return get_feed(session, feed_id) is not None

    if not await run_in_threadpool(exists):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="feed not found")
    try:
        future = context.poll_now(feed_id)
    except RuntimeError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from exc
    try:
        await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), context.settings.total_timeout_s + 30)
    except TimeoutError:
        response.status_code = status.HTTP_202_ACCEPTED  # still polling: the status will say when it is done
    with context.sessions() as session:
        return context.public(session, [_feed(session, feed_id)])[0]
