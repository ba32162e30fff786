"""The webhook body matches its committed JSON Schema (docs/schemas/webhook-payload.schema.json)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from services.notify.channels import Batch, Target
from services.notify.channels.webhook import render_webhook
from services.notify.payload import build_alert, payload_schema
from tests.notify.conftest import make_item

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "webhook-payload.schema.json"


def _alert(n: int) -> object:
    hits = [{"entity_id": "e1", "name": "Mine"}]
    return build_alert(
        make_item(f"feed:{n}"), alert_id=f"msg_{n}", kind="created", subscription=("sub_1", "name"), watchlist_hits=hits
    )


def test_committed_schema_is_generated_from_the_model() -> None:
    assert json.loads(SCHEMA.read_text()) == payload_schema()


@pytest.mark.parametrize(
    ("count", "digest", "test", "kind"),
    [(1, False, False, "alert.created"), (1, False, True, "alert.test"), (3, True, False, "alert.digest")],
)
def test_bodies_validate_against_the_schema(count: int, digest: bool, test: bool, kind: str) -> None:
    target = Target("sub_1", "t1", "name", "webhook", url="https://example.org/hook", secrets=("whsec_x",))
    batch = Batch(target, [_alert(n) for n in range(count)], digest=digest, test=test)  # type: ignore[misc]
    body = json.loads(render_webhook(batch, now=datetime.now(UTC)))
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(body)
    assert body["type"] == kind
    alerts = body["data"]["alerts"] if digest else [body["data"]]
    assert [a["watchlist_hits"] for a in alerts] == [[{"entity_id": "e1", "name": "Mine"}]] * count
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**body, "type": "alert.unknown"}, json.loads(SCHEMA.read_text()))
