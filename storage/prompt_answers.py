"""Answers to standup and progress prompts, and people's own skips and pauses (digests are
in storage.digests)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.schedules import ANSWERED
from storage.models import PromptAnswer, PromptOccurrence, StandupPause
from storage.occurrences import move
from storage.schedules import insert_for

_ANSWER_KEY = ["team_id", "schedule_id", "local_date", "user_id"]


def save_answer(
    session: Session,
    row: PromptOccurrence,
    kind: str,
    *,
    done: str,
    planned: str,
    blockers: Sequence[dict[str, str]],
    answers: dict[str, str],
    at: datetime,
) -> PromptAnswer | None:
    """Save or replace a participant's answer and mark the occurrence answered; None when
    the cut-off has passed (nothing is changed then).

    Two submissions at once both land on the one row (INSERT … ON CONFLICT DO UPDATE); the
    first submission's time is kept as `submitted_at`.
    """
    if at >= row.cutoff_at:
        return None
    fields = {
        "done": done,
        "planned": planned,
        "blockers": list(blockers),
        "answers": dict(answers),
        "updated_at": at,
    }
    keys = {
        "team_id": row.team_id,
        "schedule_id": row.schedule_id,
        "local_date": row.local_date,
        "user_id": row.user_id,
    }
    statement = insert_for(session, PromptAnswer).values(
        **keys, kind=kind, submitted_at=at, **fields
    )
    session.execute(statement.on_conflict_do_update(index_elements=_ANSWER_KEY, set_=fields))
    if row.state != ANSWERED:
        move(session, row, ANSWERED, at)
    return session.scalar(
        select(PromptAnswer)
        .where(*(getattr(PromptAnswer, name) == value for name, value in keys.items()))
        .execution_options(populate_existing=True)
    )


def answer_of(
    session: Session, team_id: str, schedule_id: int, local_date: date, user_id: str
) -> PromptAnswer | None:
    """One person's answer to one occurrence."""
    return session.scalar(
        select(PromptAnswer).where(
            PromptAnswer.team_id == team_id,
            PromptAnswer.schedule_id == schedule_id,
            PromptAnswer.local_date == local_date,
            PromptAnswer.user_id == user_id,
        )
    )


def answers_of(
    session: Session, team_id: str, schedule_id: int, local_date: date
) -> list[PromptAnswer]:
    """Every answer to one occurrence, first submitted first (the digest's threads)."""
    return list(
        session.scalars(
            select(PromptAnswer)
            .where(
                PromptAnswer.team_id == team_id,
                PromptAnswer.schedule_id == schedule_id,
                PromptAnswer.local_date == local_date,
            )
            .order_by(PromptAnswer.submitted_at, PromptAnswer.id)
        )
    )


def answers_between(
    session: Session, team_id: str, user_id: str, kind: str, first: date, last: date
) -> list[PromptAnswer]:
    """A person's answers of one kind dated `first`..`last`, oldest first (a week of
    standups for the weekly update; `/standup report @user <from> <to>`)."""
    return list(
        session.scalars(
            select(PromptAnswer)
            .where(
                PromptAnswer.team_id == team_id,
                PromptAnswer.user_id == user_id,
                PromptAnswer.kind == kind,
                PromptAnswer.local_date.between(first, last),
            )
            .order_by(PromptAnswer.local_date, PromptAnswer.id)
        )
    )


def previous_answer(
    session: Session, team_id: str, user_id: str, kind: str, before: date
) -> PromptAnswer | None:
    """A person's latest answer of one kind dated before `before` (for carried-over blockers)."""
    return session.scalar(
        select(PromptAnswer)
        .where(
            PromptAnswer.team_id == team_id,
            PromptAnswer.user_id == user_id,
            PromptAnswer.kind == kind,
            PromptAnswer.local_date < before,
        )
        .order_by(PromptAnswer.local_date.desc(), PromptAnswer.id.desc())
        .limit(1)
    )


def record_answer_thread(session: Session, answer: PromptAnswer, ts: str) -> bool:
    """Remember the answer's reply under the digest; False when one was recorded already."""
    return _set_if_empty(session, PromptAnswer, answer, "thread_ts", ts)


def _set_if_empty(session: Session, model: Any, row: Any, column: str, value: str) -> bool:
    changed = session.execute(
        update(model)
        .where(model.id == row.id, getattr(model, column).is_(None))
        .values({column: value})
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    return bool(changed.rowcount)  # type: ignore[attr-defined]


def pause_of(session: Session, team_id: str, user_id: str) -> StandupPause | None:
    """A person's own skip and pause, if they set any."""
    return session.get(StandupPause, (team_id, user_id))


def pauses_of(session: Session, team_id: str, user_ids: Iterable[str]) -> dict[str, StandupPause]:
    """The skips and pauses of several people, by user id (one query)."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = session.scalars(
        select(StandupPause).where(
            StandupPause.team_id == team_id, StandupPause.user_id.in_(wanted)
        )
    )
    return {row.user_id: row for row in rows}


def set_pause(
    session: Session,
    team_id: str,
    user_id: str,
    at: datetime,
    **values: Any,
) -> None:
    """Set a person's `paused` and/or `skip_until` (None clears the skip), race-free."""
    allowed = {"paused", "skip_until"}
    if not values or set(values) - allowed:
        raise ValueError(f"set_pause takes {sorted(allowed)}")
    fields = {**values, "updated_at": at}
    statement = insert_for(session, StandupPause).values(
        team_id=team_id, user_id=user_id, **{"paused": False, "skip_until": None, **fields}
    )
    session.execute(
        statement.on_conflict_do_update(index_elements=["team_id", "user_id"], set_=fields)
    )
    row = session.get(StandupPause, (team_id, user_id))
    if row is not None:
        session.refresh(row)


def answer_by_id(session: Session, answer_id: int) -> PromptAnswer | None:
    """An answer by row id (a delivery's report carries it)."""
    return session.get(PromptAnswer, answer_id)
