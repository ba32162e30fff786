"""ingest feed arrivals: when new items were seen, for the adaptive poll interval

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 02:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arrivals", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("ingest_feeds", schema=None) as batch_op:
        batch_op.drop_column("arrivals")
