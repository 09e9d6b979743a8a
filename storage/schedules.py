"""Standup and progress schedules, who takes part in them, and their planned slots.

A slot's participants are the role holders whose profile is in one zone, read through
ix_user_profiles_tz, never by scanning every participant. Each participant's occurrence
lives in storage.occurrences; answers, digests and pauses in storage.prompt_answers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import (
    PromptSchedule,
    RoleAssignment,
    ScheduleSlot,
    UserProfile,
)
from storage.rows import upsert


def add_schedule(
    session: Session,
    team_id: str,
    *,
    kind: str,
    roles: Sequence[str],
    days: str,
    local_time: str,
    channel: str,
    window_minutes: int,
    created_by: str,
    at: datetime,
) -> PromptSchedule:
    """Store a new active schedule (days in canonical text, time as HH:MM)."""
    row = PromptSchedule(
        team_id=team_id,
        kind=kind,
        roles=list(roles),
        days=days,
        local_time=local_time,
        channel=channel,
        window_minutes=window_minutes,
        created_by=created_by,
        created_at=at,
        active=True,
    )
    session.add(row)
    session.flush()
    return row


def schedules_of(session: Session, team_id: str, kind: str | None = None) -> list[PromptSchedule]:
    """A workspace's active schedules (of one kind, or all), oldest first."""
    query = select(PromptSchedule).where(
        PromptSchedule.team_id == team_id, PromptSchedule.active.is_(True)
    )
    if kind is not None:
        query = query.where(PromptSchedule.kind == kind)
    return list(session.scalars(query.order_by(PromptSchedule.id)))


def schedule_by_id(session: Session, team_id: str, schedule_id: int) -> PromptSchedule | None:
    """A workspace's schedule by id, removed ones included (another workspace's: None)."""
    row = session.get(PromptSchedule, schedule_id)
    return row if row is not None and row.team_id == team_id else None


def remove_schedule(
    session: Session, team_id: str, kind: str, schedule_id: int, by: str, at: datetime
) -> bool:
    """Deactivate a schedule; False when this workspace has no such active one of `kind`."""
    changed = session.execute(
        update(PromptSchedule)
        .where(
            PromptSchedule.id == schedule_id,
            PromptSchedule.team_id == team_id,
            PromptSchedule.kind == kind,
            PromptSchedule.active.is_(True),
        )
        .values(active=False, removed_by=by, removed_at=at)
    )
    return bool(changed.rowcount)  # type: ignore[attr-defined]


def active_schedules(session: Session, after_id: int = 0, limit: int = 500) -> list[PromptSchedule]:
    """Every workspace's active schedules with id above `after_id` (keyset pages), for `tick`."""
    return list(
        session.scalars(
            select(PromptSchedule)
            .where(PromptSchedule.active.is_(True), PromptSchedule.id > after_id)
            .order_by(PromptSchedule.id)
            .limit(limit)
        )
    )


def insert_for(session: Session, model: Any) -> Any:
    """An INSERT … ON CONFLICT-capable statement of the session's dialect, values to come."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(model)


def _holders(team_id: str, roles: Sequence[str]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [RoleAssignment.team_id == team_id]
    if roles:
        conditions.append(RoleAssignment.role_key.in_(set(roles)))
    # Deactivated people are not prompted; someone never looked up (no profile) is.
    conditions.append(or_(UserProfile.deleted.is_(None), UserProfile.deleted == false()))
    return conditions


def _joined(*columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(RoleAssignment)
        .outerjoin(
            UserProfile,
            and_(
                UserProfile.team_id == RoleAssignment.team_id,
                UserProfile.user_id == RoleAssignment.user_id,
            ),
        )
    )


def participant_zones(session: Session, team_id: str, roles: Sequence[str]) -> set[str | None]:
    """The distinct `tz` values (None: unknown) of the holders of `roles` (empty: every role)."""
    query = _joined(UserProfile.tz).where(*_holders(team_id, roles)).distinct()
    return set(session.scalars(query))


def participants(
    session: Session, team_id: str, roles: Sequence[str], zones: Collection[str | None]
) -> list[str]:
    """The holders of `roles` whose profile `tz` is one of `zones` (None: unknown), by id."""
    named = [zone for zone in zones if zone is not None]
    in_zone: list[ColumnElement[bool]] = []
    if named:
        in_zone.append(UserProfile.tz.in_(named))
    if None in zones:
        in_zone.append(UserProfile.tz.is_(None))
    if not in_zone:
        return []
    query = _joined(RoleAssignment.user_id).where(*_holders(team_id, roles), or_(*in_zone))
    return sorted(set(session.scalars(query.distinct())))


def plan_slot(
    session: Session,
    team_id: str,
    schedule_id: int,
    local_date: date,
    tz: str,
    prompt_at: datetime,
    cutoff_at: datetime,
    participant_count: int,
    at: datetime,
) -> bool:
    """Record that a slot's participants are listed; False when someone already did."""
    statement = upsert(
        session,
        ScheduleSlot,
        {
            "team_id": team_id,
            "schedule_id": schedule_id,
            "local_date": local_date,
            "tz": tz,
            "prompt_at": prompt_at,
            "cutoff_at": cutoff_at,
            "participants": participant_count,
            "planned_at": at,
        },
    ).on_conflict_do_nothing(index_elements=["schedule_id", "local_date", "tz"])
    # RETURNING tells an insert from a skipped conflict on both databases (psycopg reports
    # no row count for INSERT … ON CONFLICT).
    return session.scalar(statement.returning(ScheduleSlot.id)) is not None


def planned_slots(session: Session, schedule_id: int, since: date) -> set[tuple[date, str]]:
    """The (local date, zone) slots of a schedule already planned, from `since` on."""
    rows = session.execute(
        select(ScheduleSlot.local_date, ScheduleSlot.tz).where(
            ScheduleSlot.schedule_id == schedule_id, ScheduleSlot.local_date >= since
        )
    )
    return {(day, tz) for day, tz in rows}


# A loose index scan over ix_user_profiles_tz: one index seek per distinct zone, however
# many people share it (PostgreSQL has no skip scan for DISTINCT; SQLite's would read every
# entry). Both databases run this recursive form.
_ZONES = text(
    """
    WITH RECURSIVE zones(tz) AS (
        SELECT * FROM (
            SELECT tz FROM user_profiles WHERE team_id = :team AND tz IS NOT NULL
            ORDER BY tz LIMIT 1
        ) AS first_zone
        UNION ALL
        SELECT (
            SELECT p.tz FROM user_profiles AS p
            WHERE p.team_id = :team AND p.tz > zones.tz ORDER BY p.tz LIMIT 1
        ) FROM zones WHERE zones.tz IS NOT NULL
    )
    SELECT tz FROM zones WHERE tz IS NOT NULL
    """
)


def team_zones(session: Session, team_id: str) -> list[str]:
    """The distinct time zones of a workspace's known people (one index seek per zone)."""
    return [str(tz) for tz in session.scalars(_ZONES, {"team": team_id})]


def zone_has_holders(
    session: Session, team_id: str, roles: Sequence[str], zones: Collection[str | None]
) -> bool:
    """Whether any holder of `roles` (empty: every role) has a profile in one of `zones`
    (None: no zone known); stops at the first one found."""
    named = [zone for zone in zones if zone is not None]
    in_zone: list[ColumnElement[bool]] = []
    if named:
        in_zone.append(UserProfile.tz.in_(named))
    if None in zones:
        in_zone.append(UserProfile.tz.is_(None))
    if not in_zone:
        return False
    query = _joined(RoleAssignment.id).where(*_holders(team_id, roles), or_(*in_zone)).limit(1)
    return session.scalar(query) is not None


def planned_slots_of(
    session: Session, schedule_ids: Collection[int], since: date
) -> dict[int, set[tuple[date, str]]]:
    """The (local date, zone) slots already planned from `since` on, per schedule (one query
    for a page of schedules)."""
    found: dict[int, set[tuple[date, str]]] = {sid: set() for sid in schedule_ids}
    if not schedule_ids:
        return found
    rows = session.execute(
        select(ScheduleSlot.schedule_id, ScheduleSlot.local_date, ScheduleSlot.tz).where(
            ScheduleSlot.schedule_id.in_(set(schedule_ids)), ScheduleSlot.local_date >= since
        )
    )
    for schedule_id, day, tz in rows:
        found[schedule_id].add((day, tz))
    return found


def future_slots(
    session: Session, schedule_ids: Collection[int], after: datetime
) -> list[ScheduleSlot]:
    """Planned slots of these schedules whose prompt is still ahead (someone who takes a
    role now joins them), earliest first."""
    if not schedule_ids:
        return []
    return list(
        session.scalars(
            select(ScheduleSlot)
            .where(ScheduleSlot.schedule_id.in_(set(schedule_ids)), ScheduleSlot.prompt_at > after)
            .order_by(ScheduleSlot.prompt_at, ScheduleSlot.id)
        )
    )


def roles_of_people(
    session: Session, team_id: str, user_ids: Collection[str]
) -> dict[str, set[str]]:
    """The role keys each of `user_ids` holds now (people holding none are absent)."""
    found: dict[str, set[str]] = {}
    if not user_ids:
        return found
    rows = session.execute(
        select(RoleAssignment.user_id, RoleAssignment.role_key).where(
            RoleAssignment.team_id == team_id, RoleAssignment.user_id.in_(set(user_ids))
        )
    )
    for user_id, role_key in rows:
        found.setdefault(user_id, set()).add(role_key)
    return found


def schedules_by_id(session: Session, schedule_ids: Collection[int]) -> dict[int, PromptSchedule]:
    """Schedules by id, removed ones included (the claimed rows of a batch name them)."""
    if not schedule_ids:
        return {}
    rows = session.scalars(select(PromptSchedule).where(PromptSchedule.id.in_(set(schedule_ids))))
    return {row.id: row for row in rows}


def profile_facts(
    session: Session, team_id: str, user_ids: Collection[str]
) -> dict[str, tuple[str | None, bool]]:
    """(locale, deactivated) of each of `user_ids` with a cached profile: plain values, as a
    batch of prompts needs them (loading whole profiles costs more than the query)."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(UserProfile.user_id, UserProfile.locale, UserProfile.deleted).where(
            UserProfile.team_id == team_id, UserProfile.user_id.in_(set(user_ids))
        )
    )
    return {user: (locale, bool(deleted)) for user, locale, deleted in rows}
