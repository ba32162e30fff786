"""Signed one-click unsubscribe tokens: which subscription and which address, tamper-evident, no lookup."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


class InvalidToken(ValueError):
    """The token was not made with this service's key, or is malformed."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key() -> str:
    """A fresh random signing key."""
    return secrets.token_urlsafe(32)


def make_token(key: str, *, subscription_id: str, address: str) -> str:
    """A URL-safe token naming one address of one subscription."""
    body = _b64(f"{subscription_id}\n{address}".encode())
    mac = hmac.new(key.encode(), body.encode(), hashlib.sha256).digest()[:18]
    return f"{body}.{_b64(mac)}"


def read_token(key: str, token: str) -> tuple[str, str]:
    """The (subscription id, address) a token names; raise InvalidToken when it was not signed with key."""
    if not token.isascii():  # tokens are base64url; compare_digest refuses non-ASCII text
        raise InvalidToken("malformed token")
    body, _, mac = token.partition(".")
    expected = _b64(hmac.new(key.encode(), body.encode(), hashlib.sha256).digest()[:18])
    if not mac or not hmac.compare_digest(mac, expected):
        raise InvalidToken("bad signature")
    try:
        subscription_id, address = _unb64(body).decode().split("\n", 1)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidToken("malformed token") from exc
    return subscription_id, address
