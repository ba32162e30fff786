"""ingest websub subscriptions

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ingest_websub_subscriptions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("feed_id", sa.String(length=32), nullable=False),
        sa.Column("hub_url", sa.String(length=2048), nullable=False),
        sa.Column("topic_url", sa.String(length=2048), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_action_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_push_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["feed_id"], ["ingest_feeds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("feed_id"),
    )
    with op.batch_alter_table("ingest_websub_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ingest_websub_subscriptions_next_action_at"), ["next_action_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ingest_websub_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_websub_subscriptions_next_action_at"))
    op.drop_table("ingest_websub_subscriptions")
