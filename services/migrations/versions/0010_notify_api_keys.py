"""notify: several named API keys per tenant

Each tenant's one key moves to notify_api_keys as its key "default" (same hash, so it keeps working);
its first characters were never stored, so its prefix is shown as "rak_".

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 02:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notify_api_keys",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["notify_tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    with op.batch_alter_table("notify_api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_api_keys_tenant_id"), ["tenant_id"], unique=False)
    op.execute(
        "INSERT INTO notify_api_keys (id, tenant_id, name, prefix, key_hash, created_at) "
        "SELECT 'key_' || id, id, 'default', 'rak_', api_key_hash, created_at FROM notify_tenants"
    )
    with op.batch_alter_table("notify_tenants", schema=None) as batch_op:
        batch_op.drop_column("api_key_hash")


def downgrade() -> None:
    """Each tenant keeps its oldest live key (the others are lost)."""
    with op.batch_alter_table("notify_tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("api_key_hash", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE notify_tenants SET api_key_hash = (SELECT k.key_hash FROM notify_api_keys k "
        "WHERE k.tenant_id = notify_tenants.id AND k.revoked_at IS NULL ORDER BY k.created_at, k.id LIMIT 1)"
    )
    with op.batch_alter_table("notify_tenants", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_notify_tenants_api_key_hash", ["api_key_hash"])
    with op.batch_alter_table("notify_api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_api_keys_tenant_id"))
    op.drop_table("notify_api_keys")
