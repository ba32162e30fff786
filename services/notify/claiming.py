"""One claim of the delivery worker: reserve due deliveries, load their targets and items, plan messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from services.notify.batching import Planned, plan
from services.notify.channels import Target
from services.notify.models import AlertItem
from services.notify.payload import Alert, AlertKind, build_alert
from services.notify.queue import Claimed, claim, load_items
from services.notify.settings import NotifySettings
from services.notify.store import load_targets
from services.pipeline.db import utcnow
from services.pipeline.events import ClassifiedItem


@dataclass
class Round:
    """What one claim reserved, as messages ready to send, with each delivery's first sight, trace and the
    stages its item passed (services/pipeline/stages.py)."""

    rows: list[Claimed]
    planned: list[Planned]
    first_seen: dict[str, datetime]
    traceparents: dict[str, str | None]
    stages: dict[str, dict[str, datetime]]


def claim_round(
    sessions: sessionmaker[Session], *, owner: str, settings: NotifySettings, exclude: set[str]
) -> Round | None:
    """Reserve up to ``delivery_batch_size`` due deliveries (not of ``exclude``d subscriptions); None if none."""
    now = utcnow()
    with sessions.begin() as session:
        rows = claim(
            session,
            owner=owner,
            now=now,
            lease_s=settings.delivery_lease_s,
            limit=settings.delivery_batch_size,
            exclude=exclude,
        )
        if not rows:
            return None
        targets = load_targets(session, subscription_ids={r.subscription_id for r in rows}, now=now)
        items = load_items(session, ids={r.alert_item_id for r in rows})
    alerts, first_seen, traceparents, stages = build_alerts(rows, targets, items)
    planned = plan(rows, targets, alerts, slack_max=settings.slack_max_alerts_per_message)
    return Round(rows, planned, first_seen, traceparents, stages)


def build_alerts(
    rows: Sequence[Claimed], targets: dict[str, Target], items: dict[str, AlertItem]
) -> tuple[dict[str, Alert], dict[str, datetime], dict[str, str | None], dict[str, dict[str, datetime]]]:
    """The alert of each claimed delivery (items parsed once), its traceparent, the stages its item passed
    and, for instant deliveries, its item's first sight (what end-to-end latency is measured from)."""
    alerts: dict[str, Alert] = {}
    parsed: dict[str, ClassifiedItem] = {}
    first_seen: dict[str, datetime] = {}
    traceparents: dict[str, str | None] = {}
    stages: dict[str, dict[str, datetime]] = {}
    for row in rows:
        item, target = items.get(row.alert_item_id), targets.get(row.subscription_id)
        if item is None or target is None:
            continue  # the subscription or the item vanished since
        classified = parsed.get(item.id) or parsed.setdefault(item.id, ClassifiedItem.model_validate(item.payload))
        kind: AlertKind = row.kind if row.kind in ("updated", "story_update") else "created"  # type: ignore[assignment]
        alerts[row.id] = build_alert(
            classified,
            alert_id=row.id,
            kind=kind,
            subscription=(row.subscription_id, target.name),
            watchlist_hits=row.watchlist_hits,
            matched=row.matched,
        )
        traceparents[row.id] = item.traceparent
        stages[row.id] = {"seen": item.first_seen_at, "classified": classified.classified_at}
        if row.created_at is not None:
            stages[row.id]["matched"] = row.created_at
        if not row.digest:  # a digest is late by design: it would only blur the end-to-end latency SLO
            first_seen[row.id] = item.first_seen_at
    return alerts, first_seen, traceparents, stages
