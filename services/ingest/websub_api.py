"""The WebSub callback (``/websub/{callback_id}``): hubs verify our subscriptions and push content here.

No admin token: the callback id is random and secret, verification only confirms a request we are waiting
for, and pushed content counts only when signed with the subscription's secret. Pushed documents go through
the poller's parser, dedupe and outbox.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from services.ingest import schedule, subscriptions, websub
from services.ingest.api import ContextDep, IngestContext
from services.ingest.fetcher import FetchResult
from services.ingest.metrics import WEBSUB_PUSHES
from services.ingest.models import HubSubscription
from services.ingest.recorder import FeedSnapshot, PollOutcome, prepare
from services.pipeline.db import utcnow

log = logging.getLogger(__name__)
router = APIRouter(prefix="/websub", tags=["websub"])
_NOT_OURS = HTTPException(status.HTTP_404_NOT_FOUND, detail="no such subscription request")


def _load(context: IngestContext, callback_id: str) -> tuple[HubSubscription, FeedSnapshot] | None:
    with context.sessions() as session:
        subscription = subscriptions.by_callback(session, callback_id)
        if subscription is None:
            return None
        return subscription, FeedSnapshot.of(subscription.feed)


@router.get(
    "/{callback_id}",
    summary="A hub verifies a subscription (or says it was denied)",
    response_class=PlainTextResponse,
    responses={200: {"description": "The challenge, echoed"}, 204: {"description": "Denial noted"}},
)
def verify(
    callback_id: str,
    context: ContextDep,
    mode: Annotated[str, Query(alias="hub.mode")],
    topic: Annotated[str, Query(alias="hub.topic")],
    challenge: Annotated[str, Query(alias="hub.challenge")] = "",
    lease_seconds: Annotated[int, Query(alias="hub.lease_seconds")] = 0,
    reason: Annotated[str, Query(alias="hub.reason")] = "",
) -> Response:
    """Echo ``hub.challenge`` only for a subscription we asked for, on its topic; 404 otherwise."""
    policy = schedule.Policy.from_settings(context.settings)
    with context.sessions.begin() as session:
        subscription = subscriptions.by_callback(session, callback_id)
        if subscription is None:
            raise _NOT_OURS
        now = utcnow()
        if mode == "subscribe" and challenge:
            if not subscriptions.verify(session, subscription, topic=topic, lease_s=lease_seconds, now=now):
                raise _NOT_OURS
            return PlainTextResponse(challenge)
        if mode == "denied":
            retry_s = schedule.after_failure(
                policy, interval_s=None, failures=subscription.failures + 1, retry_after_s=None
            )
            if not subscriptions.denied(session, subscription, topic=topic, reason=reason, retry_s=retry_s, now=now):
                raise _NOT_OURS
            log.warning("WebSub subscription denied", extra={"feed_id": subscription.feed_id, "reason": reason})
            return Response(status_code=status.HTTP_204_NO_CONTENT)
    raise _NOT_OURS  # unsubscribe: we never ask for it (a deleted feed's callback answers 410 to pushes)


@router.post(
    "/{callback_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="A hub pushes new content of a topic we subscribed to",
    responses={
        202: {"description": "Ignored: unsigned, badly signed or unreadable content"},
        410: {"description": "No such subscription (any more): the hub drops it"},
    },
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/atom+xml": {"schema": {"type": "string"}}}}
    },
)
async def push(callback_id: str, request: Request, context: ContextDep) -> Response:
    loaded = await run_in_threadpool(_load, context, callback_id)
    if loaded is None:
        WEBSUB_PUSHES.labels(outcome="gone").inc()
        return Response(status_code=status.HTTP_410_GONE)  # the hub drops the subscription
    subscription, snapshot = loaded
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > context.settings.max_body_bytes:
            WEBSUB_PUSHES.labels(outcome="too_large").inc()
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail="content too large")
    if not websub.signature_valid(subscription.secret, bytes(body), request.headers.get("x-hub-signature")):
        WEBSUB_PUSHES.labels(outcome="bad_signature").inc()
        log.warning("WebSub content ignored: bad signature", extra={"feed_id": snapshot.id})
        return Response(status_code=status.HTTP_202_ACCEPTED)  # spec §7.1: acknowledged, locally ignored
    fetched = FetchResult(
        "ok",
        subscription.topic_url,
        status_code=200,
        body=bytes(body),
        content_type=request.headers.get("content-type"),
        content_language=request.headers.get("content-language"),
    )
    prepared = await run_in_threadpool(prepare, snapshot, fetched)
    if prepared.parsed is None:
        WEBSUB_PUSHES.labels(outcome="unparseable").inc()
        log.warning("WebSub content ignored", extra={"feed_id": snapshot.id, "error": prepared.result.error})
        return Response(status_code=status.HTTP_202_ACCEPTED)
    outcome: PollOutcome = await run_in_threadpool(context.recorder.push, prepared)
    WEBSUB_PUSHES.labels(outcome="stored" if outcome.outcome == "ok" else "gone").inc()
    if outcome.counts and outcome.counts.to_publish:
        context.on_stored()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
