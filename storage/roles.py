"""Role assignments, backups, absences and their history."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import RoleAssignment


def holders(session: Session, team_id: str, role_key: str) -> list[str]:
    """The users holding a role, in the order they were assigned."""
    rows = session.scalars(
        select(RoleAssignment.user_id)
        .where(RoleAssignment.team_id == team_id, RoleAssignment.role_key == role_key)
        .order_by(RoleAssignment.assigned_at, RoleAssignment.id)
    )
    return list(rows)
