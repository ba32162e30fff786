"""watchlists belong to notify: classify_watchlist_entities becomes notify_watchlist_entities, and each
delivery keeps its tenant's watchlist hits

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXED = ("tenant_id", "updated_at")


def _move(old: str, new: str) -> None:
    """Rename a table (rows kept) and its indexes."""
    with op.batch_alter_table(old, schema=None) as batch_op:
        for column in INDEXED:
            batch_op.drop_index(f"ix_{old}_{column}")
    op.rename_table(old, new)
    with op.batch_alter_table(new, schema=None) as batch_op:
        for column in INDEXED:
            batch_op.create_index(f"ix_{new}_{column}", [column], unique=False)


def upgrade() -> None:
    _move("classify_watchlist_entities", "notify_watchlist_entities")
    with op.batch_alter_table("notify_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("watchlist_hits", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("notify_deliveries", schema=None) as batch_op:
        batch_op.drop_column("watchlist_hits")
    _move("notify_watchlist_entities", "classify_watchlist_entities")
