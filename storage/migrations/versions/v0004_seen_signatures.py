"""seen signatures: accepted Slack request signatures, kept until they expire (replays)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "seen_signatures",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    with op.batch_alter_table("seen_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_seen_signatures_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("seen_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_signatures_expires_at"))
    op.drop_table("seen_signatures")
