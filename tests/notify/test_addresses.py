"""Email addresses: only what SMTP sends to exactly as validated is accepted, before anything is stored; a
stored row that no longer validates is an error on that row, and no mail goes to another recipient."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, update

from services.notify.models import Subscription
from services.notify.schemas import email_address
from tests.notify.conftest import Api, Running, make_item, wait_for

REFUSED = [
    '"<x@y.zz>"@b.co',
    '"x1@y.zz,x2@y.zz,x3@y.zz,"@b.co',
    '"ann"@b.co',
    "<ann@b.co>",
    "Ann <ann@b.co>",
    "ann@b.co (Ann)",
    "ann(x)@b.co",
    "ann@b.co,bob@b.co",
    "ann bob@b.co",
    "ann..bob@b.co",
    ".ann@b.co",
    "ann.@b.co",
    "ann@[127.0.0.1]",
    "ann@localhost",
    "ann@b..co",
    "ann@-b.co",
    "ann@b.123",
    "änn@b.co",
    "ann@bü.co",
    "ann@b.co\r\nBcc: eve@b.co",
    "a" * 65 + "@b.co",
    "ann@" + "b" * 250 + ".co",
]


@pytest.mark.parametrize("address", REFUSED)
def test_addresses_smtp_would_not_send_to_as_given_are_refused(address: str) -> None:
    with pytest.raises(ValueError, match="not an email address"):
        email_address(address)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("O'Brien+alerts@Example.COM", "O'Brien+alerts@example.com"),
        (" ops.team@mail.example.org ", "ops.team@mail.example.org"),
    ],
)
def test_plain_addresses_are_normalised(given: str, stored: str) -> None:
    assert email_address(given) == stored


def test_a_refused_address_stores_nothing_and_lists_still_answer(api: Api) -> None:
    a = api.auth("a")
    for address in ('"<x@y.zz>"@b.co', '"x1@y.zz,x2@y.zz,x3@y.zz,"@b.co'):
        body = {"name": "mail", "channel": {"type": "email", "addresses": [address]}}
        response = api.client.post("/v1/subscriptions", json=body, headers=a)
        assert response.status_code == 422, response.text
        assert address not in response.text  # the error names the field, never echoes the input
    listed = api.client.get("/v1/subscriptions", headers=a)
    assert listed.status_code == 200 and listed.json() == []
    good = {"name": "mail", "channel": {"type": "email", "addresses": ["ops@example.com"]}}
    sub_id = api.client.post("/v1/subscriptions", json=good, headers=a).json()["id"]
    bad = {"channel": {"type": "email", "addresses": ["ops@example.com", '"<x@y.zz>"@b.co']}}
    assert api.client.patch(f"/v1/subscriptions/{sub_id}", json=bad, headers=a).status_code == 422
    assert api.client.get(f"/v1/subscriptions/{sub_id}", headers=a).json()["channel"]["addresses"] == [
        "ops@example.com"
    ]


def _corrupt(engine: Engine, sub_id: str, **columns: Any) -> None:
    """Write what an older, laxer validation let into the store."""
    with engine.begin() as connection:
        connection.execute(update(Subscription).where(Subscription.id == sub_id).values(**columns))


def test_a_stored_row_that_no_longer_validates_is_an_error_on_that_row(api: Api) -> None:
    a = api.auth("a")
    ids = []
    for name in ("good", "bad", "bad filters"):
        body = {"name": name, "channel": {"type": "email", "addresses": ["ops@example.com"]}}
        ids.append(api.client.post("/v1/subscriptions", json=body, headers=a).json()["id"])
    _corrupt(api.engine, ids[1], addresses=["ops@example.com", "<x@y.zz>@b.co"])
    _corrupt(api.engine, ids[2], filters={"companies": ["Acme"], "actions": ["no-such-action"]})
    listed = api.client.get("/v1/subscriptions", headers=a)
    assert listed.status_code == 200, listed.text
    rows = {row["name"]: row for row in listed.json()}
    assert rows["good"]["error"] is None
    assert rows["bad"]["channel"]["addresses"] == ["ops@example.com", "<x@y.zz>@b.co"]
    assert "channel.addresses.1" in rows["bad"]["error"] and "not an email address" in rows["bad"]["error"]
    assert (
        rows["bad filters"]["filters"]["companies"] == ["Acme"] and "filters.actions.0" in rows["bad filters"]["error"]
    )
    one = api.client.get(f"/v1/subscriptions/{ids[1]}", headers=a)
    assert one.status_code == 200 and one.json()["error"] == rows["bad"]["error"]
    paused = api.client.post(f"/v1/subscriptions/{ids[1]}/pause", headers=a)
    assert paused.status_code == 200 and paused.json()["error"] == rows["bad"]["error"]
    fixed = {"channel": {"type": "email", "addresses": ["ops@example.com", "x@y.zz"]}}
    changed = api.client.patch(f"/v1/subscriptions/{ids[1]}", json=fixed, headers=a)
    assert changed.status_code == 200 and changed.json()["error"] is None


def test_mail_goes_only_to_the_stored_addresses_exactly(
    engine: Engine, smtp: tuple[int, Any], notify_on: Callable[..., Running]
) -> None:
    port, mailbox = smtp
    running = notify_on(engine, smtp_port=port)
    tenant = running.tenant()
    good, _ = running.subscribe(tenant, {"type": "email", "addresses": ["O'Brien+alerts@Example.COM"]})
    bad, _ = running.subscribe(tenant, {"type": "email", "addresses": ["ops@example.com"]})
    _corrupt(engine, bad, addresses=["<x@y.zz>@b.co"])
    running.intake.ingest(make_item("feed:1"))
    wait_for(
        lambda: {d.subscription_id: d.status for d in running.deliveries()}.get(bad) == "disabled",
        "the bad row to stop",
    )
    wait_for(lambda: len(mailbox.messages) == 1, "the good row's mail")
    assert [rcpt for rcpt, _ in mailbox.messages] == [["O'Brien+alerts@example.com"]]
    failed = next(d for d in running.deliveries() if d.subscription_id == bad)
    assert failed.last_error is not None and "not an email address" in failed.last_error
    assert good != bad
