"""tenant names are unique: a name identifies a tenant on the command line

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

tenants = sa.table("notify_tenants", sa.column("id", sa.String), sa.column("name", sa.String))


def _rename_duplicates() -> None:
    """Keep the first tenant of each name as it is; the others get their id appended to their name."""
    connection = op.get_bind()
    seen: set[str] = set()
    for tenant_id, name in connection.execute(sa.select(tenants.c.id, tenants.c.name).order_by(tenants.c.id)):
        if name in seen:
            connection.execute(
                tenants.update().where(tenants.c.id == tenant_id).values(name=f"{name[:150]} ({tenant_id})")
            )
        seen.add(name)


def upgrade() -> None:
    _rename_duplicates()
    with op.batch_alter_table("notify_tenants", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_notify_tenants_name", ["name"])


def downgrade() -> None:
    with op.batch_alter_table("notify_tenants", schema=None) as batch_op:
        batch_op.drop_constraint("uq_notify_tenants_name", type_="unique")
