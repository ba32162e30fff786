"""Keyset paging: cursors round-trip, foreign cursors are refused, and a walk sees every row once, in order,
ties on created_at included, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, MetaData, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from services.pipeline.db import UTCDateTime
from services.pipeline.paging import PageRequest, decode_cursor, encode_cursor, keyset


class _Base(DeclarativeBase):
    metadata = MetaData()


class Row(_Base):
    __tablename__ = "paging_rows"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def test_a_cursor_names_the_row_it_was_made_from() -> None:
    at = datetime(2026, 12, 7, 23, 0, 0, 123456, tzinfo=UTC)
    assert decode_cursor(encode_cursor(at, "abc")) == (at, "abc")


@pytest.mark.parametrize("cursor", ["", "%%%", "bm90IGpzb24", "WzEsMl0", "WyIyMDI2LTEyLTA3IiwgImEiXQ", "x" * 199])
def test_a_cursor_the_api_did_not_give_is_refused(cursor: str) -> None:
    with pytest.raises(ValueError, match="not a cursor"):
        decode_cursor(cursor)


def _walk(session: Session, *, limit: int, newest_first: bool) -> list[str]:
    seen: list[str] = []
    page = PageRequest(limit=limit)
    while True:
        rows = list(
            session.scalars(keyset(select(Row), page, created=Row.created_at, ident=Row.id, newest_first=newest_first))
        )
        seen += [row.id for row in rows[:limit]]
        if len(rows) <= limit:
            return seen
        last = rows[limit - 1]
        page = PageRequest(limit=limit, after=decode_cursor(encode_cursor(last.created_at, last.id)))


@pytest.mark.parametrize("newest_first", [False, True])
def test_a_walk_by_cursor_sees_every_row_once_in_order(engine: Engine, newest_first: bool) -> None:
    _Base.metadata.create_all(engine)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [Row(id=uuid.uuid4().hex, created_at=start + timedelta(seconds=n // 3)) for n in range(23)]  # ties
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
        expected = [r.id for r in sorted(rows, key=lambda r: (r.created_at, r.id), reverse=newest_first)]
        for limit in (1, 4, 23, 500):
            assert _walk(session, limit=limit, newest_first=newest_first) == expected
