"""Claims on participants' occurrences: each due prompt, reminder or expiry taken once.

Due work is read through indexes, never by scanning participants: due prompts and reminders
are ranges of ix_prompt_occurrences_due (state, prompt_at) and _remind (state, remind_at).
A claim is a conditional UPDATE guarded by the row's state, so a row moves once however
many tickers run: on PostgreSQL the candidates are picked FOR UPDATE SKIP LOCKED (two
tickers take disjoint batches instead of queueing), on SQLite the UPDATE waits for the
write lock and then sees the other ticker's claims.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.schedules import MISSED, PENDING, PROMPTED, REMINDED, SKIPPED, sources_of
from storage.models import PromptOccurrence

_STAMP = {PROMPTED: "prompted_at", REMINDED: "reminded_at"}


def due_prompts(session: Session, now: datetime, limit: int) -> list[PromptOccurrence]:
    """Pending occurrences whose prompt time has come and whose cut-off has not, oldest first
    (a range of ix_prompt_occurrences_due; read only — `claim_due_prompts` takes them)."""
    return list(session.scalars(_due(PENDING, PromptOccurrence.prompt_at, now, limit)))


def _due(state: str, when: Any, now: datetime, limit: int, until: datetime | None = None) -> Any:
    return (
        select(PromptOccurrence)
        .where(
            PromptOccurrence.state == state,
            when <= (now if until is None else until),
            PromptOccurrence.cutoff_at > now,
        )
        .order_by(when, PromptOccurrence.id)
        .limit(limit)
    )


def _claim(
    session: Session,
    state: str,
    to: str,
    when: Any,
    now: datetime,
    limit: int,
    until: datetime | None = None,
) -> list[PromptOccurrence]:
    pick = _due(state, when, now, limit, until).with_only_columns(PromptOccurrence.id)
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


def claim_due_prompts(
    session: Session, now: datetime, limit: int, until: datetime | None = None
) -> list[PromptOccurrence]:
    """Move up to `limit` pending occurrences whose prompt is due by `until` (default `now`;
    later when prompts are scheduled ahead) and whose cut-off is ahead to prompted, and
    return them; a row is returned to one caller only, however many tick at once.

    `prompted_at` is the claim's instant (the DM is sent, or scheduled, then); the person
    sees it at the later of that and `prompt_at`.
    """
    return _claim(session, PENDING, PROMPTED, PromptOccurrence.prompt_at, now, limit, until)


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


def withdraw_many(
    session: Session, reasons: Mapping[int, str], at: datetime
) -> list[PromptOccurrence]:
    """Mark occurrences skipped, each with its reason (not eligible any more: away, paused,
    no longer holding the role, schedule removed), unless answered or over meanwhile; returns
    the rows that moved."""
    by_reason: dict[str, list[int]] = {}
    for row_id, reason in reasons.items():
        by_reason.setdefault(reason, []).append(row_id)
    moved: list[PromptOccurrence] = []
    for reason, ids in by_reason.items():
        moved += session.scalars(
            update(PromptOccurrence)
            .where(PromptOccurrence.id.in_(ids), PromptOccurrence.state.in_(sources_of(SKIPPED)))
            .values(state=SKIPPED, reason=reason, updated_at=at)
            .returning(PromptOccurrence)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
    return sorted(moved, key=lambda row: (row.prompt_at, row.id))


def restore_many(session: Session, ids: Collection[int], at: datetime) -> int:
    """Put skipped occurrences back to pending (eligible again before their prompt)."""
    if not ids:
        return 0
    changed = session.execute(
        update(PromptOccurrence)
        .where(PromptOccurrence.id.in_(set(ids)), PromptOccurrence.state == SKIPPED)
        .values(state=PENDING, reason=None, updated_at=at)
        # Rows loaded in this session see the change (a reply that reads them next).
        .execution_options(synchronize_session="fetch")
    )
    return int(changed.rowcount)  # type: ignore[attr-defined]


def unclaim(session: Session, row_id: int, at: datetime) -> bool:
    """Put a claimed prompt back to pending, forgetting where it went (its scheduled message
    was deleted), so the next tick claims it again; False when it moved on meanwhile."""
    changed = session.execute(
        update(PromptOccurrence)
        .where(PromptOccurrence.id == row_id, PromptOccurrence.state == PROMPTED)
        .values(
            state=PENDING,
            prompted_at=None,
            dm_channel=None,
            dm_ts=None,
            scheduled_message_id=None,
            updated_at=at,
        )
        .execution_options(synchronize_session="fetch")
    )
    return int(changed.rowcount) == 1  # type: ignore[attr-defined]
