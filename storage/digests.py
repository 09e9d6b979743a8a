"""Digests: one channel summary per occurrence (schedule, local date), posted when its first
participant is prompted, updated as answers arrive, final at its latest cut-off."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from storage.models import Digest
from storage.schedules import insert_for


def open_digest(
    session: Session,
    team_id: str,
    schedule_id: int,
    local_date: date,
    channel: str,
    window: tuple[datetime, datetime],
    at: datetime,
) -> tuple[Digest, bool]:
    """The digest of one occurrence, created on first use (True) with `window` = (first
    prompt, latest cut-off); when it exists, a wider window widens it, unless it is final."""
    opened_at, final_at = window
    statement = insert_for(session, Digest).values(
        team_id=team_id,
        schedule_id=schedule_id,
        local_date=local_date,
        channel=channel,
        opened_at=opened_at,
        final_at=final_at,
        final=False,
        updated_at=at,
    )
    created = session.scalar(
        statement.on_conflict_do_nothing(
            index_elements=["team_id", "schedule_id", "local_date"]
        ).returning(Digest.id)
    )
    digest = digest_of(session, team_id, schedule_id, local_date)
    assert digest is not None  # inserted above, or there already
    if not created and not digest.final:
        # A zone prompted later than planned (someone new, further west) keeps it open longer.
        for column, value, wider in (
            ("final_at", final_at, Digest.final_at < final_at),
            ("opened_at", opened_at, Digest.opened_at > opened_at),
        ):
            session.execute(
                update(Digest)
                .where(Digest.id == digest.id, Digest.final.is_(False), wider)
                .values({column: value, "updated_at": at})
                .execution_options(synchronize_session=False)
            )
        session.refresh(digest)
    return digest, created is not None


def digest_of(session: Session, team_id: str, schedule_id: int, local_date: date) -> Digest | None:
    """The digest of one occurrence (schedule, local date)."""
    return session.scalar(
        select(Digest)
        .where(
            Digest.team_id == team_id,
            Digest.schedule_id == schedule_id,
            Digest.local_date == local_date,
        )
        .execution_options(populate_existing=True)
    )


# A digest whose `ts` is POSTING has its channel message enqueued, its ts not known yet.
POSTING = ""


def record_digest_message(session: Session, digest: Digest, ts: str) -> bool:
    """Remember the digest's channel message; False when one was recorded already."""
    changed = session.execute(
        update(Digest)
        .where(Digest.id == digest.id, or_(Digest.ts.is_(None), Digest.ts == POSTING))
        .values(ts=ts)
        .execution_options(synchronize_session=False)
    )
    session.refresh(digest)
    return bool(changed.rowcount)  # type: ignore[attr-defined]


def claim_digest_posts(session: Session, now: datetime, limit: int) -> list[Digest]:
    """Digests whose first prompt has come and whose channel message is not yet enqueued:
    marked POSTING and returned, each to one caller only."""
    ids = list(
        session.scalars(
            select(Digest.id)
            .where(Digest.final.is_(False), Digest.opened_at <= now, Digest.ts.is_(None))
            .order_by(Digest.opened_at, Digest.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    return _mark_posting(session, ids, now)


def claim_digest_post(session: Session, digest: Digest, now: datetime) -> bool:
    """Claim the posting of one digest's channel message; False when it was claimed before."""
    return bool(_mark_posting(session, [digest.id], now))


def _mark_posting(session: Session, ids: list[int], now: datetime) -> list[Digest]:
    if not ids:
        return []
    return list(
        session.scalars(
            update(Digest)
            .where(Digest.id.in_(ids), Digest.ts.is_(None))
            .values(ts=POSTING, updated_at=now)
            .returning(Digest)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
    )


def digests_between(
    session: Session, team_id: str, schedule_ids: Sequence[int], first: date, last: date
) -> list[Digest]:
    """The digests of these schedules dated `first`..`last`, latest first (reports)."""
    if not schedule_ids:
        return []
    return list(
        session.scalars(
            select(Digest)
            .where(
                Digest.team_id == team_id,
                Digest.schedule_id.in_(set(schedule_ids)),
                Digest.local_date.between(first, last),
            )
            .order_by(Digest.local_date.desc(), Digest.schedule_id)
        )
    )


def claim_due_digests(session: Session, now: datetime, limit: int) -> list[Digest]:
    """Mark up to `limit` digests whose final time has come final, and return them (each to
    one caller only): their last update is the final one."""
    ids = list(
        session.scalars(
            select(Digest.id)
            .where(Digest.final.is_(False), Digest.final_at <= now)
            .order_by(Digest.final_at, Digest.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return []
    return list(
        session.scalars(
            update(Digest)
            .where(Digest.id.in_(ids), Digest.final.is_(False))
            .values(final=True, finalized_at=now, updated_at=now)
            .returning(Digest)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
    )


def digest_by_id(session: Session, digest_id: int) -> Digest | None:
    """A digest by row id (a delivery's report carries it)."""
    return session.get(Digest, digest_id)
