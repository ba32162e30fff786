"""Unsubscribe tokens: round trip, and refused when tampered with or signed with another key."""

from __future__ import annotations

import pytest

from services.notify.tokens import InvalidToken, make_token, read_token


def test_round_trip() -> None:
    token = make_token("k", subscription_id="sub_1", address="a@example.org")
    assert read_token("k", token) == ("sub_1", "a@example.org")


def test_other_key_refused() -> None:
    with pytest.raises(InvalidToken):
        read_token("other", make_token("k", subscription_id="sub_1", address="a@example.org"))


def test_tampered_body_refused() -> None:
    token = make_token("k", subscription_id="sub_1", address="a@example.org")
    forged = make_token("k", subscription_id="sub_2", address="a@example.org").split(".")[0]
    with pytest.raises(InvalidToken):
        read_token("k", forged + "." + token.split(".")[1])


@pytest.mark.parametrize("token", ["", "abc", "abc.", ".abc", "!!!.???", "abc.\u00e9", "\u00e9.abc", "abc.\ud800"])
def test_malformed_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        read_token("k", token)
