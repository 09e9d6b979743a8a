"""Each participant's part in an occurrence: added once, read by time, claimed once.

Due work is read through indexes, never by scanning participants: due prompts and reminders
are ranges of ix_prompt_occurrences_due (state, prompt_at) and _remind (state, remind_at).
A claim is a conditional UPDATE guarded by the row's state, so a row moves once however
many tickers run: on PostgreSQL the candidates are picked FOR UPDATE SKIP LOCKED (two
tickers take disjoint batches instead of queueing), on SQLite the UPDATE waits for the
write lock and then sees the other ticker's claims.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
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


def due_prompts(session: Session, now: datetime, limit: int) -> list[PromptOccurrence]:
    """Pending occurrences whose prompt time has come and whose cut-off has not, oldest first
    (a range of ix_prompt_occurrences_due; read only — `claim_due_prompts` takes them)."""
    return list(session.scalars(_due(PENDING, PromptOccurrence.prompt_at, now, limit)))


def _due(state: str, when: Any, now: datetime, limit: int) -> Any:
    return (
        select(PromptOccurrence)
        .where(
            PromptOccurrence.state == state,
            when <= now,
            PromptOccurrence.cutoff_at > now,
        )
        .order_by(when, PromptOccurrence.id)
        .limit(limit)
    )


def _claim(
    session: Session, state: str, to: str, when: Any, now: datetime, limit: int
) -> list[PromptOccurrence]:
    pick = _due(state, when, now, limit).with_only_columns(PromptOccurrence.id)
    # PostgreSQL: rows another ticker is claiming are skipped, not waited for; SQLite has no
    # row locks (the clause is not rendered) and serialises the UPDATE below instead.
    ids = list(session.scalars(pick.with_for_update(skip_locked=True)))
    if not ids:
        return []
    claimed = session.scalars(
        update(PromptOccurrence)
        .where(PromptOccurrence.id.in_(ids), PromptOccurrence.state == state)
        .values({"state": to, _STAMP[to]: now, "updated_at": now})
        .returning(PromptOccurrence)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return sorted(claimed, key=lambda row: (row.prompt_at, row.id))


def claim_due_prompts(session: Session, now: datetime, limit: int) -> list[PromptOccurrence]:
    """Move up to `limit` due pending occurrences to prompted and return them; a row is
    returned to one caller only, however many tick at once."""
    return _claim(session, PENDING, PROMPTED, PromptOccurrence.prompt_at, now, limit)


def claim_due_reminders(session: Session, now: datetime, limit: int) -> list[PromptOccurrence]:
    """Move up to `limit` prompted, unanswered occurrences past their reminder time (cut-off
    not reached) to reminded and return them, once each."""
    return _claim(session, PROMPTED, REMINDED, PromptOccurrence.remind_at, now, limit)


def expire_missed(session: Session, now: datetime, limit: int) -> list[PromptOccurrence]:
    """Occurrences never prompted before their cut-off (the app was down): marked missed and
    returned, so the caller can log them instead of prompting late."""
    ids = list(
        session.scalars(
            select(PromptOccurrence.id)
            .where(
                PromptOccurrence.state == PENDING,
                PromptOccurrence.prompt_at <= now,
                PromptOccurrence.cutoff_at <= now,
            )
            .order_by(PromptOccurrence.prompt_at, PromptOccurrence.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return []
    return list(
        session.scalars(
            update(PromptOccurrence)
            .where(PromptOccurrence.id.in_(ids), PromptOccurrence.state == PENDING)
            .values(state=MISSED, updated_at=now)
            .returning(PromptOccurrence)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
    )


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
        .execution_options(synchronize_session=False)
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
        .execution_options(synchronize_session=False)
    )
    return int(changed.rowcount)  # type: ignore[attr-defined]
