"""Role assignments, backups, absences and their history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Absence, RoleAssignment, RoleBackup, RoleEvent


def holders(session: Session, team_id: str, role_key: str) -> list[str]:
    """The users holding a role, in the order they were assigned."""
    rows = session.scalars(
        select(RoleAssignment.user_id)
        .where(RoleAssignment.team_id == team_id, RoleAssignment.role_key == role_key)
        .order_by(RoleAssignment.assigned_at, RoleAssignment.id)
    )
    return list(rows)


def holders_by_role(
    session: Session, team_id: str, role_keys: Iterable[str] | None = None
) -> dict[str, list[str]]:
    """Holders of each role (of `role_keys`, or all), in assignment order; one query."""
    query = select(RoleAssignment.role_key, RoleAssignment.user_id).where(
        RoleAssignment.team_id == team_id
    )
    if role_keys is not None:
        query = query.where(RoleAssignment.role_key.in_(set(role_keys)))
    found: dict[str, list[str]] = {}
    for role_key, user_id in session.execute(
        query.order_by(RoleAssignment.assigned_at, RoleAssignment.id)
    ):
        found.setdefault(role_key, []).append(user_id)
    return found


def roles_of(session: Session, team_id: str, user_id: str) -> list[str]:
    """The role keys a person holds."""
    rows = session.scalars(
        select(RoleAssignment.role_key).where(
            RoleAssignment.team_id == team_id, RoleAssignment.user_id == user_id
        )
    )
    return list(rows)


def add_holder(
    session: Session, team_id: str, role_key: str, user_id: str, by: str, at: datetime
) -> bool:
    """Give a person a role; False when they already hold it."""
    if user_id in holders(session, team_id, role_key):
        return False
    session.add(
        RoleAssignment(
            team_id=team_id, role_key=role_key, user_id=user_id, assigned_by=by, assigned_at=at
        )
    )
    session.flush()
    return True


def remove_holder(session: Session, team_id: str, role_key: str, user_id: str) -> bool:
    """Take a role from a person; False when they did not hold it."""
    row = session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.team_id == team_id,
            RoleAssignment.role_key == role_key,
            RoleAssignment.user_id == user_id,
        )
    ).first()
    if row is None:
        return False
    session.delete(row)
    return True


def backups(
    session: Session, team_id: str, role_keys: Iterable[str] | None = None
) -> dict[str, str]:
    """The backup of each role that has one."""
    query = select(RoleBackup).where(RoleBackup.team_id == team_id)
    if role_keys is not None:
        query = query.where(RoleBackup.role_key.in_(set(role_keys)))
    return {row.role_key: row.user_id for row in session.scalars(query)}


def set_backup(session: Session, team_id: str, role_key: str, user_id: str) -> None:
    """Name (or replace) a role's backup."""
    row = session.get(RoleBackup, (team_id, role_key))
    if row is None:
        session.add(RoleBackup(team_id=team_id, role_key=role_key, user_id=user_id))
    else:
        row.user_id = user_id


def absences(
    session: Session, team_id: str, today: date, user_ids: Iterable[str] | None = None
) -> dict[str, date]:
    """Who is away today (or later), with the last day away."""
    query = select(Absence).where(Absence.team_id == team_id, Absence.until >= today)
    if user_ids is not None:
        ids = set(user_ids)
        if not ids:
            return {}
        query = query.where(Absence.user_id.in_(ids))
    return {row.user_id: row.until for row in session.scalars(query)}


def set_absence(session: Session, team_id: str, user_id: str, until: date | None) -> bool:
    """Mark a person away until a date, or (None) back; False when nothing changed."""
    row = session.get(Absence, (team_id, user_id))
    if until is None:
        if row is None:
            return False
        session.delete(row)
    elif row is None:
        session.add(Absence(team_id=team_id, user_id=user_id, until=until))
    else:
        row.until = until
    return True


def add_event(
    session: Session,
    team_id: str,
    action: str,
    actor_id: str,
    at: datetime,
    *,
    role_key: str | None = None,
    subject_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Keep one change in the history."""
    session.add(
        RoleEvent(
            team_id=team_id,
            role_key=role_key,
            action=action,
            actor_id=actor_id,
            subject_id=subject_id,
            detail=detail or {},
            at=at,
        )
    )


def events(
    session: Session, team_id: str, role_key: str | None = None, limit: int = 20
) -> list[RoleEvent]:
    """The latest changes, newest first (of one role, or all)."""
    query = select(RoleEvent).where(RoleEvent.team_id == team_id)
    if role_key is not None:
        query = query.where(RoleEvent.role_key == role_key)
    return list(
        session.scalars(query.order_by(RoleEvent.at.desc(), RoleEvent.id.desc()).limit(limit))
    )
