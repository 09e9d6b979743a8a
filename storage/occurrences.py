"""Each participant's part in an occurrence: added once, read, moved by guarded updates.

(Due prompts, reminders and expiries are claimed in storage.occurrence_claims.)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.schedules import ANSWERED, MISSED, PENDING, PROMPTED, REMINDED, SKIPPED, sources_of
from storage.models import PromptOccurrence, PromptSchedule
from storage.schedules import insert_for

INSERT_BATCH = 500  # parameter sets per round trip
_STAMP = {PROMPTED: "prompted_at", REMINDED: "reminded_at", ANSWERED: "answered_at"}


def add_occurrences(
    session: Session,
    team_id: str,
    schedule_id: int,
    local_date: date,
    tz: str,
    times: tuple[datetime, datetime, datetime],
    user_ids: Iterable[str],
    at: datetime,
    skipped: Mapping[str, str] | None = None,
) -> int:
    """Add each user's occurrence (`times`: prompt, reminder, cut-off) unless it exists;
    users in `skipped` start skipped with that reason. Returns how many were added."""
    prompt_at, remind_at, cutoff_at = times
    reasons = skipped or {}
    rows = [
        {
            "team_id": team_id,
            "schedule_id": schedule_id,
            "user_id": user_id,
            "local_date": local_date,
            "tz": tz,
            "prompt_at": prompt_at,
            "remind_at": remind_at,
            "cutoff_at": cutoff_at,
            "state": SKIPPED if user_id in reasons else PENDING,
            "reason": reasons.get(user_id),
            "updated_at": at,
        }
        for user_id in dict.fromkeys(user_ids)
    ]
    if not rows:
        return 0
    statement = (
        insert_for(session, PromptOccurrence.__table__)
        .on_conflict_do_nothing(index_elements=["team_id", "schedule_id", "local_date", "user_id"])
        .returning(PromptOccurrence.id)
    )
    # One cached statement run with many parameter sets: SQLAlchemy sends it as batched
    # multi-row INSERTs ("insertmanyvalues"), RETURNING only the rows that went in.
    added = 0
    for start in range(0, len(rows), INSERT_BATCH):
        added += len(
            session.connection().execute(statement, rows[start : start + INSERT_BATCH]).all()
        )
    return added


def occurrence(
    session: Session, team_id: str, schedule_id: int, local_date: date, user_id: str
) -> PromptOccurrence | None:
    """One person's occurrence of a schedule on their local date."""
    return session.scalar(
        select(PromptOccurrence).where(
            PromptOccurrence.team_id == team_id,
            PromptOccurrence.schedule_id == schedule_id,
            PromptOccurrence.local_date == local_date,
            PromptOccurrence.user_id == user_id,
        )
    )


def occurrence_by_id(session: Session, occurrence_id: int) -> PromptOccurrence | None:
    """An occurrence by row id (after-ack work and button values carry the id)."""
    return session.get(PromptOccurrence, occurrence_id)


def occurrences_of(
    session: Session, team_id: str, schedule_id: int, local_date: date
) -> list[PromptOccurrence]:
    """Every participant's occurrence of one (schedule, local date), by user id (the digest)."""
    return list(
        session.scalars(
            select(PromptOccurrence)
            .where(
                PromptOccurrence.team_id == team_id,
                PromptOccurrence.schedule_id == schedule_id,
                PromptOccurrence.local_date == local_date,
            )
            .order_by(PromptOccurrence.user_id)
        )
    )


def open_occurrences(
    session: Session, team_id: str, user_id: str, now: datetime, kind: str | None = None
) -> list[PromptOccurrence]:
    """A person's occurrences open at `now` (prompt time passed, cut-off not), latest first:
    what `/standup` with no text answers."""
    query = (
        select(PromptOccurrence)
        .join(PromptSchedule, PromptSchedule.id == PromptOccurrence.schedule_id)
        .where(
            PromptOccurrence.team_id == team_id,
            PromptOccurrence.user_id == user_id,
            PromptOccurrence.cutoff_at > now,
            PromptOccurrence.prompt_at <= now,
            PromptOccurrence.state != MISSED,
        )
    )
    if kind is not None:
        query = query.where(PromptSchedule.kind == kind)
    return list(session.scalars(query.order_by(PromptOccurrence.prompt_at.desc())))


def move(session: Session, row: PromptOccurrence, to: str, at: datetime, **values: Any) -> bool:
    """Move one occurrence to state `to` if the store still has it in a state that may go
    there (domain.schedules.MOVES); False when another request moved it first."""
    stamp = {_STAMP[to]: at} if to in _STAMP else {}
    changed = session.execute(
        update(PromptOccurrence)
        .where(PromptOccurrence.id == row.id, PromptOccurrence.state.in_(sources_of(to)))
        .values(state=to, updated_at=at, **stamp, **values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(row)
    return True


def record_prompt_message(
    session: Session,
    row: PromptOccurrence,
    channel: str,
    ts: str | None,
    scheduled_message_id: str | None = None,
) -> None:
    """Where the prompt DM went (to update it once answered, or cancel it if scheduled)."""
    row.dm_channel, row.dm_ts, row.scheduled_message_id = channel, ts, scheduled_message_id


def skip_range(
    session: Session,
    team_id: str,
    user_id: str,
    first: date,
    last: date,
    reason: str,
    at: datetime,
) -> int:
    """Mark a person's unanswered occurrences dated `first`..`last` skipped (`reason`)."""
    changed = session.execute(
        update(PromptOccurrence)
        .where(
            PromptOccurrence.team_id == team_id,
            PromptOccurrence.user_id == user_id,
            PromptOccurrence.local_date.between(first, last),
            PromptOccurrence.state.in_(sources_of(SKIPPED)),
        )
        .values(state=SKIPPED, reason=reason, updated_at=at)
        # Rows loaded in this session see the change (a reply that reads them next).
        .execution_options(synchronize_session="fetch")
    )
    return int(changed.rowcount)  # type: ignore[attr-defined]


def unskip(
    session: Session, team_id: str, user_id: str, reasons: Collection[str], now: datetime
) -> int:
    """Put a person's occurrences skipped for one of `reasons` whose cut-off is ahead back
    to pending (`/standup resume`); returns how many."""
    changed = session.execute(
        update(PromptOccurrence)
        .where(
            PromptOccurrence.team_id == team_id,
            PromptOccurrence.user_id == user_id,
            PromptOccurrence.cutoff_at > now,
            PromptOccurrence.state == SKIPPED,
            PromptOccurrence.reason.in_(tuple(reasons)),
        )
        .values(state=PENDING, reason=None, updated_at=now)
        # Rows loaded in this session see the change (a reply that reads them next).
        .execution_options(synchronize_session="fetch")
    )
    return int(changed.rowcount)  # type: ignore[attr-defined]


def upcoming_of(
    session: Session,
    team_id: str,
    *,
    user_id: str | None = None,
    schedule_id: int | None = None,
    after: datetime,
) -> list[PromptOccurrence]:
    """Occurrences (of one person, or one schedule) whose prompt is still ahead of `after`
    and not answered: what a change of role, absence or schedule still affects."""
    query = select(PromptOccurrence).where(
        PromptOccurrence.team_id == team_id,
        PromptOccurrence.prompt_at > after,
        # Implied by the line above; each lets an index find the rows (the person's by
        # cut-off, the schedule's by local date, which is at most a day behind UTC's).
        PromptOccurrence.cutoff_at > after,
        PromptOccurrence.local_date >= after.date() - timedelta(days=1),
        PromptOccurrence.state.in_((PENDING, PROMPTED, SKIPPED)),
    )
    if user_id is not None:
        query = query.where(PromptOccurrence.user_id == user_id)
    if schedule_id is not None:
        query = query.where(PromptOccurrence.schedule_id == schedule_id)
    return list(session.scalars(query.order_by(PromptOccurrence.prompt_at, PromptOccurrence.id)))


def occurrences_between(
    session: Session, team_id: str, user_id: str, first: date, last: date
) -> list[PromptOccurrence]:
    """A person's occurrences dated `first`..`last`, by date (their history and App Home)."""
    return list(
        session.scalars(
            select(PromptOccurrence)
            .where(
                PromptOccurrence.team_id == team_id,
                PromptOccurrence.user_id == user_id,
                PromptOccurrence.local_date.between(first, last),
            )
            .order_by(PromptOccurrence.local_date, PromptOccurrence.prompt_at)
        )
    )
