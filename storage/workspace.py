"""Per-workspace settings (`/rolecall config`) and once-only delivery claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Delivery, WorkspaceSetting
from storage.rows import put_or_delete


def workspace_settings(session: Session, team_id: str) -> dict[str, str]:
    """Every value this workspace has set, by key."""
    rows = session.scalars(select(WorkspaceSetting).where(WorkspaceSetting.team_id == team_id))
    return {row.key: row.value for row in rows}


def set_workspace_setting(session: Session, team_id: str, key: str, value: str | None) -> None:
    """Set a value, or remove it (back to the default) when `value` is None."""
    fields = None if value is None else {"value": value}
    put_or_delete(session, WorkspaceSetting, (team_id, key), fields)


def claim(session: Session, team_id: str, key: str, at: datetime) -> bool:
    """Claim a once-only delivery; False when someone (another tick, replica) already has.

    Runs in a savepoint so a lost race leaves the caller's transaction usable.
    """
    try:
        with session.begin_nested():
            session.add(Delivery(team_id=team_id, key=key[:255], claimed_at=at))
    except IntegrityError:
        return False
    return True


def release(session: Session, team_id: str, key: str) -> None:
    """Give a claim back, so a delivery that failed can be tried again."""
    row = session.get(Delivery, (team_id, key[:255]))
    if row is not None:
        session.delete(row)
