"""The sample alert sent by POST /v1/subscriptions/{id}/test."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from services.notify.payload import Alert, build_alert
from services.pipeline.events import ActionTag, ActionType, ClassifiedItem, CompanyTag, RawItem, RegulatorTag, Tags


def sample_alert(*, subscription_id: str, name: str = "") -> Alert:
    """A realistic, clearly labelled test alert with a fresh id."""
    now = datetime.now(UTC)
    item = RawItem(
        item_id=f"test:{uuid.uuid4().hex}",
        feed_id="regalerts-test",
        feed_url="https://regalerts.org/test-feed.xml",
        title="Test alert: Example Regulator fines Example Corp",
        summary="This is a test alert sent by RegAlerts to check that your endpoint receives alerts.",
        link="https://regalerts.org/",
        published_at=now,
        first_seen_at=now,
    )
    tags = Tags(
        language="en",
        companies=[CompanyTag(id="example-corp", name="Example Corp", confidence=1.0)],
        regulators=[
            RegulatorTag(
                id="example-regulator", name="Example Regulator", acronym="EXR", jurisdiction="US", confidence=1.0
            )
        ],
        actions=[ActionTag(type=ActionType.FINE, confidence=1.0, primary=True)],
        jurisdictions=["US"],
        classifier_version="test",
    )
    classified = ClassifiedItem(item=item, tags=tags, classified_at=now)
    return build_alert(
        classified,
        alert_id=f"msg_test_{uuid.uuid4().hex[:24]}",
        kind="created",
        subscription=(subscription_id, name),
    )
