"""/v1/subscriptions: create, list, read, change, delete, test, rotate the signing secret (tenant-scoped)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status
from starlette.concurrency import run_in_threadpool

from services.notify.api.deps import ContextDep, CurrentTenant, NotifyContext, SessionDep, not_found
from services.notify.channels import Batch
from services.notify.channels.http import make_client
from services.notify.models import Subscription
from services.notify.names import name_warnings
from services.notify.preview import PreviewMatches, SubscriptionPreview, preview_matches
from services.notify.sample import sample_alert
from services.notify.schemas import (
    DIGEST_NEEDS_MODE,
    Filters,
    SampleOutcome,
    SecretRotated,
    SubscriptionChanged,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
    SubscriptionUpdate,
    WebhookChannel,
)
from services.notify.store import (
    create_subscription,
    get_subscription,
    list_subscriptions,
    load_targets,
    rotate_secret,
    update_subscription,
)
from services.notify.views import public_view, to_public
from services.notify.watchlists import get_entity
from services.pipeline.db import utcnow
from services.pipeline.netguard import BlockedURL
from services.pipeline.openapi import error_responses
from services.pipeline.paging import LINK_HEADER, LongPagerDep

router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"])


def _check_channel(context: NotifyContext, channel: object) -> None:
    """Webhook URLs must pass the SSRF policy at creation (and are checked again at each send)."""
    if isinstance(channel, WebhookChannel):
        try:
            context.policy.check_url(channel.url)
        except BlockedURL as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"webhook URL refused: {exc}") from exc


def _check_filters(session: SessionDep, tenant: CurrentTenant, filters: Filters | None) -> None:
    """Watchlist entity ids must be the tenant's own (another tenant's id is refused like a missing one)."""
    for entity_id in filters.watchlist_entities if filters else []:
        if get_entity(session, tenant_id=tenant.id, entity_id=entity_id) is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"no watchlist entity {entity_id!r}")


def _name_warnings(context: NotifyContext, filters: Filters | None) -> list[str]:
    """Warnings about company and regulator names classify's knowledge base does not carry (never a refusal)."""
    settings = context.settings
    return name_warnings(filters, classify_url=settings.classify_url, timeout_s=settings.classify_timeout_s)


def _owned(session: SessionDep, tenant: CurrentTenant, subscription_id: str) -> Subscription:
    subscription = get_subscription(session, tenant_id=tenant.id, subscription_id=subscription_id)
    if subscription is None:
        raise not_found("subscription")
    return subscription


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a subscription")
def create(
    body: SubscriptionCreate, session: SessionDep, tenant: CurrentTenant, context: ContextDep
) -> SubscriptionCreated:
    """Create a subscription; a JSON webhook's signing secret is in this answer only."""
    _check_channel(context, body.channel)
    _check_filters(session, tenant, body.filters)
    warnings = _name_warnings(context, body.filters)
    subscription, secret = create_subscription(session, tenant_id=tenant.id, data=body)
    # The answer is built before the commit: whatever fails there stores nothing.
    created = public_view(subscription, SubscriptionCreated, secret=secret, warnings=warnings)
    session.commit()
    return created


@router.post("/preview", summary="Which of the given items these filters would match (nothing is stored)")
def preview(body: SubscriptionPreview, session: SessionDep, tenant: CurrentTenant) -> PreviewMatches:
    """The matching applied to every classified item, the tenant's watchlist included, over up to 500 items
    the caller sends (the web app sends its last 30 days); the ids of those matched, in the order given."""
    _check_filters(session, tenant, body.filters)
    return preview_matches(session, tenant_id=tenant.id, preview=body)


@router.get("", summary="List subscriptions", responses={200: {"headers": LINK_HEADER}})
def list_all(session: SessionDep, tenant: CurrentTenant, pager: LongPagerDep) -> list[SubscriptionPublic]:
    """The tenant's subscriptions, oldest first, a page at a time (the next page's URL in the Link header)."""
    subscriptions, _ = pager.cut(list_subscriptions(session, tenant_id=tenant.id, page=pager.page))
    return [to_public(s) for s in subscriptions]


@router.get("/{subscription_id}", summary="Read a subscription")
def read(subscription_id: str, session: SessionDep, tenant: CurrentTenant) -> SubscriptionPublic:
    """One subscription (never its secret)."""
    return to_public(_owned(session, tenant, subscription_id))


def _check_digest(subscription: Subscription, body: SubscriptionUpdate) -> None:
    """A digest schedule without mode "digest" on an instant subscription would change nothing: refuse it."""
    if body.digest is not None and body.mode is None and subscription.mode != "digest":
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=DIGEST_NEEDS_MODE)


@router.patch("/{subscription_id}", summary="Change a subscription (pause/resume with paused)")
def patch(
    subscription_id: str, body: SubscriptionUpdate, session: SessionDep, tenant: CurrentTenant, context: ContextDep
) -> SubscriptionChanged:
    """Change the given fields only; a change to a JSON webhook shows its new signing secret, once."""
    subscription = _owned(session, tenant, subscription_id)
    _check_channel(context, body.channel)
    _check_filters(session, tenant, body.filters)
    _check_digest(subscription, body)
    warnings = _name_warnings(context, body.filters)
    secret = update_subscription(session, subscription=subscription, data=body)
    changed = public_view(subscription, SubscriptionChanged, secret=secret, warnings=warnings)
    session.commit()
    return changed


def _set_paused(session: SessionDep, tenant: CurrentTenant, subscription_id: str, paused: bool) -> SubscriptionPublic:
    subscription = _owned(session, tenant, subscription_id)
    update_subscription(session, subscription=subscription, data=SubscriptionUpdate(paused=paused))
    session.commit()
    return to_public(subscription)


@router.post("/{subscription_id}/pause", summary="Pause a subscription (alerts stop being matched and sent)")
def pause(subscription_id: str, session: SessionDep, tenant: CurrentTenant) -> SubscriptionPublic:
    """Stop matching new items and hold the subscription's pending deliveries until it is resumed."""
    return _set_paused(session, tenant, subscription_id, True)


@router.post("/{subscription_id}/resume", summary="Resume a paused subscription")
def resume(subscription_id: str, session: SessionDep, tenant: CurrentTenant) -> SubscriptionPublic:
    """Match new items again and send the held deliveries."""
    return _set_paused(session, tenant, subscription_id, False)


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a subscription")
def delete(subscription_id: str, session: SessionDep, tenant: CurrentTenant) -> Response:
    """Delete a subscription and its pending deliveries."""
    session.delete(_owned(session, tenant, subscription_id))
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{subscription_id}/rotate-secret", summary="Rotate the webhook signing secret", responses=error_responses(409)
)
def rotate(subscription_id: str, session: SessionDep, tenant: CurrentTenant, context: ContextDep) -> SecretRotated:
    """A new secret, shown once; the previous one keeps signing alongside during the overlap."""
    subscription = _owned(session, tenant, subscription_id)
    if subscription.channel != "webhook":
        raise HTTPException(status.HTTP_409_CONFLICT, detail="only JSON webhooks are signed")
    secret, expires = rotate_secret(
        session, subscription=subscription, overlap_s=context.settings.secret_rotation_overlap_s
    )
    session.commit()
    return SecretRotated(secret=secret, previous_expires_at=expires)


@router.post("/{subscription_id}/test", summary="Send a sample alert now and report the real outcome")
async def send_test(subscription_id: str, tenant: CurrentTenant, context: ContextDep) -> SampleOutcome:
    """Send a sample alert through the subscription's channel; a failing endpoint is reported as a failure."""

    def load() -> Batch:
        with context.sessions() as session:
            _owned(session, tenant, subscription_id)
            target = load_targets(session, subscription_ids={subscription_id}, now=utcnow())[subscription_id]
        return Batch(target=target, alerts=[sample_alert(subscription_id=subscription_id, name=target.name)], test=True)

    batch = await run_in_threadpool(load)
    settings = context.settings
    async with make_client(context.policy, timeout_s=settings.delivery_timeout_s, max_connections=2) as client:
        outcome = await context.make_dispatcher(client).send(batch)
    return SampleOutcome(
        delivered=outcome.delivered, status_code=outcome.status_code, latency_ms=outcome.latency_ms, error=outcome.error
    )
