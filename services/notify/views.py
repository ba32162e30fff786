"""The API view of a stored subscription, tolerant of rows written under older, laxer rules.

A row that no longer validates is shown as stored, with ``error`` naming each invalid field (an invalid
filter value is left out), so one bad row never fails a whole list.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError

from services.notify.models import Subscription
from services.notify.schemas import EmailChannel, Filters, SubscriptionPublic, WebhookChannel
from services.notify.store import public_digest

P = TypeVar("P", bound=SubscriptionPublic)


def _errors(where: str, exc: ValidationError) -> list[str]:
    return [f"{where}.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_input=False)]


def _stored_channel(subscription: Subscription, errors: list[str]) -> WebhookChannel | EmailChannel:
    """The channel as stored; when it no longer validates, as stored all the same, with ``errors`` saying why."""
    model: type[WebhookChannel] | type[EmailChannel] = WebhookChannel
    fields: dict[str, Any] = {
        "url": subscription.url or "",
        "format": "slack" if subscription.channel == "slack" else "json",
    }
    if subscription.channel == "email":
        model, fields = EmailChannel, {"addresses": list(subscription.addresses)}
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        errors += _errors("channel", exc)
        return model.model_construct(**fields)


def _stored_filters(stored: dict[str, Any], errors: list[str]) -> Filters:
    """The filters as stored; a filter that no longer validates is left out and named in ``errors``."""
    try:
        return Filters.model_validate(stored)
    except ValidationError as exc:
        errors += _errors("filters", exc)
    kept = {}
    for key, value in stored.items():
        try:
            Filters.model_validate({key: value})
        except ValidationError:
            continue
        kept[key] = value
    return Filters.model_validate(kept)


def to_public(subscription: Subscription) -> SubscriptionPublic:
    """The API view of a subscription: no secret."""
    return public_view(subscription, SubscriptionPublic)


def public_view(subscription: Subscription, model: type[P], **extra: Any) -> P:
    """The API view of a subscription as ``model``; ``extra`` fills the fields a subclass adds (the secret).

    A row that no longer validates (written under older rules) is shown as stored with ``error`` saying
    why, so one bad row never fails a whole list."""
    errors: list[str] = []
    channel = _stored_channel(subscription, errors)
    filters = _stored_filters(subscription.filters, errors)
    try:
        digest = public_digest(subscription)
    except ValidationError as exc:
        errors += _errors("digest", exc)
        digest = None
    return model(
        id=subscription.id,
        name=subscription.name,
        filters=filters,
        channel=channel,
        mode="digest" if subscription.mode == "digest" else "instant",
        digest=digest,
        paused=subscription.paused,
        story_updates="notify" if subscription.story_updates == "notify" else "none",
        disabled_reason=subscription.disabled_reason,
        error="; ".join(errors) or None,
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
        **extra,
    )
