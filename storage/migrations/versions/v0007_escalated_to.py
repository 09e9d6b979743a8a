"""tickets.escalated_to: whom the latest escalation went to, for the card

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:00:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Escalations recorded before this revision name their recipients only in their event.
_tickets = sa.table("tickets", sa.column("id", sa.Integer()), sa.column("escalated_to", sa.JSON()))
_events = sa.table(
    "ticket_events",
    sa.column("id", sa.Integer()),
    sa.column("ticket_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("detail", sa.JSON()),
)


def upgrade() -> None:

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalated_to", sa.JSON(), nullable=True))

    bind = op.get_bind()
    latest: dict[int, dict[str, Any]] = {}
    rows = bind.execute(
        sa.select(_events.c.ticket_id, _events.c.detail)
        .where(_events.c.action == "escalate")
        .order_by(_events.c.id)
    )
    for ticket_id, detail in rows:
        if isinstance(detail, dict) and detail.get("to"):
            latest[ticket_id] = {k: detail[k] for k in ("to", "backup", "why") if k in detail}
    for ticket_id, to in latest.items():
        bind.execute(_tickets.update().where(_tickets.c.id == ticket_id).values(escalated_to=to))


def downgrade() -> None:

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("escalated_to")
