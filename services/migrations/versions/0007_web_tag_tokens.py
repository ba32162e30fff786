"""web: tag filters as full-text tokens (web_items.tag_tokens) instead of the web_item_tags table

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 23:28:12.847627
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _token(kind: str, value: str) -> str:
    """services.web.text.tag_token, as of this revision (migrations import no service module)."""
    return "t" + hashlib.blake2b(f"{kind}\0{value}".encode(), digest_size=8).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("web_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tag_tokens", sa.Text(), nullable=False, server_default=""))
    connection = op.get_bind()
    tokens: dict[int, list[str]] = defaultdict(list)
    for item_pk, kind, value in connection.execute(sa.text("SELECT item_pk, kind, value FROM web_item_tags")):
        tokens[item_pk].append(_token(kind, value))
    for item_pk, found in tokens.items():
        connection.execute(
            sa.text("UPDATE web_items SET tag_tokens = :tokens WHERE id = :pk"),
            {"tokens": " ".join(sorted(found)), "pk": item_pk},
        )
    with op.batch_alter_table("web_items", schema=None) as batch_op:
        batch_op.alter_column("tag_tokens", server_default=None)
    with op.batch_alter_table("web_item_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_item_tags_lookup"))
    op.drop_table("web_item_tags")


def downgrade() -> None:
    op.create_table(
        "web_item_tags",
        sa.Column("item_pk", sa.INTEGER(), nullable=False),
        sa.Column("kind", sa.VARCHAR(length=20), nullable=False),
        sa.Column("value", sa.VARCHAR(length=200), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_pk"], ["web_items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_pk", "kind", "value"),
    )
    with op.batch_alter_table("web_item_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_item_tags_lookup"), ["kind", "value", "published_at"], unique=False)
    with op.batch_alter_table("web_items", schema=None) as batch_op:
        batch_op.drop_column("tag_tokens")
