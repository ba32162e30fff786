"""Standard Webhooks signatures (https://www.standardwebhooks.com): secrets, signing and verifying.

A secret is ``whsec_`` followed by base64 of random bytes. The signed content is
``{webhook-id}.{webhook-timestamp}.{body}``; the ``webhook-signature`` header carries one or more
space-separated ``v1,<base64 HMAC-SHA256>`` entries (several while a rotated secret overlaps the new one).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

PREFIX = "whsec_"
TOLERANCE_S = 5 * 60


class InvalidSignature(ValueError):
    """The request's signature headers are missing, stale or do not match any secret."""


def generate_secret(num_bytes: int = 24) -> str:
    """A new random signing secret, ``whsec_``-prefixed."""
    return PREFIX + base64.b64encode(secrets.token_bytes(num_bytes)).decode()


def _key(secret: str) -> bytes:
    raw = secret.removeprefix(PREFIX)
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise ValueError("secret is not whsec_ followed by base64") from exc


def _sign_one(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def sign_headers(secrets_: list[str], msg_id: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    """Headers for one webhook request: webhook-id, webhook-timestamp and webhook-signature.

    Args:
        secrets_: the secrets to sign with, current first (two during a rotation overlap).
        msg_id: the message id; the same across retries of one alert so receivers can deduplicate.
        body: the exact bytes of the request body.
        timestamp: seconds since the epoch; now when omitted.

    Returns:
        The three headers, the signature holding one space-separated entry per secret.
    """
    if not secrets_:
        raise ValueError("at least one secret is needed")
    ts = int(time.time()) if timestamp is None else timestamp
    signature = " ".join(_sign_one(secret, msg_id, ts, body) for secret in secrets_)
    return {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": signature}


def verify(secret: str, headers: dict[str, str], body: bytes, *, now: float | None = None) -> None:
    """Raise InvalidSignature unless one of the request's signatures was made with ``secret``."""
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        msg_id = lower["webhook-id"]
        timestamp = int(lower["webhook-timestamp"])
        signatures = lower["webhook-signature"].split(" ")
    except (KeyError, ValueError) as exc:
        raise InvalidSignature("missing or malformed webhook headers") from exc
    current = time.time() if now is None else now
    if abs(current - timestamp) > TOLERANCE_S:
        raise InvalidSignature("timestamp outside the tolerance")
    expected = _sign_one(secret, msg_id, timestamp, body).encode()
    if not any(hmac.compare_digest(expected, candidate.encode()) for candidate in signatures):
        raise InvalidSignature("no matching signature")
