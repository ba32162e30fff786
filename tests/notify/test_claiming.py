"""Building the alerts of a claimed round: what end-to-end latency is measured from."""

from __future__ import annotations

from services.notify.channels import Target
from services.notify.claiming import build_alerts
from services.notify.models import AlertItem
from services.notify.queue import Claimed
from tests.notify.conftest import make_item


def test_digest_deliveries_are_left_out_of_end_to_end_latency() -> None:
    item = make_item()
    stored = AlertItem(
        id="a1",
        item_id=item.item.item_id,
        revision=1,
        payload=item.model_dump(mode="json"),
        first_seen_at=item.item.first_seen_at,
        traceparent=None,
    )
    target = Target(subscription_id="s1", tenant_id="t1", name="n", channel="webhook", url="https://h.example/x")
    rows = [
        Claimed(
            id=f"d-{digest}",
            subscription_id="s1",
            alert_item_id="a1",
            kind="created",
            channel="webhook",
            digest=digest,
            attempts=0,
        )
        for digest in (False, True)
    ]
    alerts, first_seen, _, _ = build_alerts(rows, {"s1": target}, {"a1": stored})
    assert set(alerts) == {"d-False", "d-True"}
    assert first_seen == {"d-False": item.item.first_seen_at}
