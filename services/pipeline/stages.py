"""When an item passed each stage: timestamps carried in Kafka headers, and the latency histogram they feed.

Each stage adds its own header (``ts_<stage>``, Unix time in milliseconds) and forwards the ones it received,
so the classified event says when the item was first seen by ingest, published, classified (tagged) and
grouped into its story, and a delivery attempt when it was seen, classified, matched and delivered. Every stage also observes ``regalerts_stage_latency_seconds{stage}``:
the time from the item's first sight to that stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from services.pipeline.metrics import STAGE_LATENCY

PREFIX = "ts_"
# In the order an item passes them.
STAGES = ("seen", "published", "classified", "grouped", "matched", "delivered")


def header(stage: str) -> str:
    """The header carrying when an item passed ``stage``."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    return PREFIX + stage


def millis(when: datetime) -> str:
    """A header value: ``when`` as Unix milliseconds."""
    return str(round(when.timestamp() * 1000))


def stamped(carried: Mapping[str, str], **stages: datetime) -> dict[str, str]:
    """The stage headers among ``carried`` (the headers received), plus the given stages."""
    headers = {key: value for key, value in carried.items() if key.startswith(PREFIX) and key[3:] in STAGES}
    headers.update({header(stage): millis(when) for stage, when in stages.items()})
    return headers


def passed(headers: Mapping[str, str]) -> dict[str, datetime]:
    """When the item passed each stage, read from headers (stages absent or unreadable are left out)."""
    found: dict[str, datetime] = {}
    for stage in STAGES:
        try:
            found[stage] = datetime.fromtimestamp(int(headers[header(stage)]) / 1000, UTC)
        except (KeyError, ValueError, OverflowError):
            continue
    return found


def observe(stage: str, *, first_seen: datetime, at: datetime) -> None:
    """Record that an item first seen at ``first_seen`` reached ``stage`` at ``at``."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    STAGE_LATENCY.labels(stage=stage).observe(max(0.0, (at - first_seen).total_seconds()))
