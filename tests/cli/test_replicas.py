"""Parsing ``regalerts up --replicas``."""

from __future__ import annotations

import pytest

from services.cli.replicas import parse_replicas, replica_name


def test_named_services_get_their_count_and_the_others_one() -> None:
    assert parse_replicas("classify=2, notify=3") == {"ingest": 1, "classify": 2, "notify": 3}
    assert parse_replicas("ingest=2,classify=2,notify=2") == {"ingest": 2, "classify": 2, "notify": 2}
    assert parse_replicas("") == {"ingest": 1, "classify": 1, "notify": 1}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("classify", "expected NAME=COUNT"),
        ("broker=2", "expected NAME=COUNT"),
        ("classify=0", "from 1 to 32"),
        ("notify=two", "from 1 to 32"),
        ("notify=-1", "from 1 to 32"),
        ("ingest=33", "from 1 to 32"),
    ],
)
def test_anything_else_is_refused_with_what_is_wrong(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_replicas(value)


def test_a_single_process_keeps_the_service_name() -> None:
    assert [replica_name("notify", i, 1) for i in range(1)] == ["notify"]
    assert [replica_name("notify", i, 2) for i in range(2)] == ["notify-1", "notify-2"]
