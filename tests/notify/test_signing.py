"""Standard Webhooks signing, checked by the independent ``standardwebhooks`` package: one valid request,
then one broken field per test."""

from __future__ import annotations

import time

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from services.notify.signing import InvalidSignature, generate_secret, sign_headers, verify

BODY = b'{"type":"alert.created","data":{}}'


@pytest.fixture
def secret() -> str:
    return generate_secret()


def test_secret_format(secret: str) -> None:
    assert secret.startswith("whsec_") and secret != generate_secret()


def test_valid_request_verifies_with_the_reference_library(secret: str) -> None:
    headers = sign_headers([secret], "msg_1", BODY)
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert headers["webhook-signature"].startswith("v1,")
    Webhook(secret).verify(BODY, headers)
    verify(secret, headers, BODY)


def test_tampered_body_fails(secret: str) -> None:
    headers = sign_headers([secret], "msg_1", BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY + b" ", headers)
    with pytest.raises(InvalidSignature):
        verify(secret, headers, BODY + b" ")


def test_other_id_fails(secret: str) -> None:
    headers = {**sign_headers([secret], "msg_1", BODY), "webhook-id": "msg_2"}
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, headers)


def test_stale_timestamp_fails(secret: str) -> None:
    headers = sign_headers([secret], "msg_1", BODY, timestamp=int(time.time()) - 3600)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, headers)
    with pytest.raises(InvalidSignature):
        verify(secret, headers, BODY)


def test_wrong_secret_fails(secret: str) -> None:
    headers = sign_headers([generate_secret()], "msg_1", BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, headers)


def test_missing_header_fails(secret: str) -> None:
    headers = sign_headers([secret], "msg_1", BODY)
    del headers["webhook-timestamp"]
    with pytest.raises(InvalidSignature):
        verify(secret, headers, BODY)


def test_rotation_overlap_signs_with_both_secrets(secret: str) -> None:
    new = generate_secret()
    headers = sign_headers([new, secret], "msg_1", BODY)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(new).verify(BODY, headers)
    Webhook(secret).verify(BODY, headers)


def test_no_secret_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one secret"):
        sign_headers([], "msg_1", BODY)
