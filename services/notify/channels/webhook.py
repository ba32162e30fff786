"""JSON webhooks signed per Standard Webhooks; the body is the documented payload (docs/schemas/)."""

from __future__ import annotations

from datetime import UTC, datetime

from services.notify.channels import Batch, Outcome
from services.notify.channels.http import Poster
from services.notify.payload import PAYLOAD_ADAPTER, AlertEvent, DigestData, DigestEvent, one_per_story
from services.notify.signing import sign_headers


def render_webhook(batch: Batch, *, now: datetime) -> bytes:
    """The JSON body for a batch: one alert event, or a digest event (pure)."""
    payload: AlertEvent | DigestEvent
    if batch.digest or len(batch.alerts) > 1:
        alerts = one_per_story(batch.alerts) if batch.digest else batch.alerts
        data = DigestData(subscription_id=batch.target.subscription_id, alerts=alerts)
        payload = DigestEvent(type="alert.digest", timestamp=now, data=data)
    else:
        alert = batch.alerts[0]
        kind = "alert.test" if batch.test else f"alert.{alert.kind}"
        payload = AlertEvent.model_validate({"type": kind, "timestamp": now, "data": alert})
    return PAYLOAD_ADAPTER.dump_json(payload)


class WebhookChannel:
    """Posts signed JSON to the subscription's URL."""

    name = "webhook"

    def __init__(self, client: Poster) -> None:
        self._client = client

    async def send(self, batch: Batch) -> Outcome:
        """Render, sign with every active secret, post."""
        target = batch.target
        if not target.url or not target.secrets:
            return Outcome(delivered=False, error="webhook has no URL or no signing secret")
        body = render_webhook(batch, now=datetime.now(UTC))
        headers = sign_headers(list(target.secrets), batch.message_id, body)
        return await self._client.post(target.url, body, headers)
