"""How claimed deliveries become messages (pure): one per alert, a Slack burst coalesced, a digest whole."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.notify.channels import Batch, Target
from services.notify.payload import Alert
from services.notify.queue import Claimed

# Alerts per message when several go together, per channel (a Slack message holds at most 50 blocks).
DIGEST_CHUNK = {"webhook": 100, "email": 500}


@dataclass(frozen=True)
class Planned:
    """A batch to send and the deliveries it settles."""

    batch: Batch
    delivery_ids: list[str]


def _chunks(rows: Sequence[Claimed], size: int) -> Iterable[Sequence[Claimed]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def plan(
    rows: Iterable[Claimed], targets: dict[str, Target], alerts: dict[str, Alert], *, slack_max: int
) -> list[Planned]:
    """Group claimed deliveries into batches; rows whose subscription or item vanished are left out."""
    by_subscription: dict[str, list[Claimed]] = defaultdict(list)
    for row in rows:
        if row.subscription_id in targets and row.id in alerts:
            by_subscription[row.subscription_id].append(row)
    planned: list[Planned] = []
    for subscription_id, group in by_subscription.items():
        target = targets[subscription_id]
        together = slack_max if target.channel == "slack" else DIGEST_CHUNK.get(target.channel, 100)
        digest = [r for r in group if r.digest]
        instant = [r for r in group if not r.digest]
        for chunk in _chunks(digest, together):
            planned.append(_planned(target, chunk, alerts, digest=True))
        for chunk in _chunks(instant, together if target.channel == "slack" else 1):
            planned.append(_planned(target, chunk, alerts, digest=False))
    return planned


def _planned(target: Target, rows: Sequence[Claimed], alerts: dict[str, Alert], *, digest: bool) -> Planned:
    return Planned(Batch(target=target, alerts=[alerts[r.id] for r in rows], digest=digest), [r.id for r in rows])
