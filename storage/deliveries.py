"""The outbox: Slack writes recorded in the transaction of the change that caused them.

`enqueue` runs inside the caller's transaction, so a change that rolls back sends nothing
and one that commits will be sent. The dispatcher (handlers.delivery) claims due rows with
a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas never claim one row twice;
SQLite has one writer at a time), sends them, and records the outcome with the claim it
holds: an outcome recorded under a lease someone else has taken over is refused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, delete, event, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from domain.delivery import (
    CREATES_MESSAGE,
    FAILED,
    METHODS,
    OPEN_STATES,
    PENDING,
    SENDING,
    SENT,
    SKIPPED,
    SUPERSEDED,
)
from storage.models import OutboxDelivery
from storage.rows import upsert

_WAKE = "rolecall.outbox.enqueued"
_wakers: dict[int, list[Callable[[], None]]] = {}
_wakers_lock = threading.Lock()


@dataclass(frozen=True)
class Claimed:
    """A delivery this dispatcher now holds, with the delivery it is anchored to (if any)."""

    row: OutboxDelivery
    anchor: OutboxDelivery | None


def enqueue(
    session: Session,
    team_id: str,
    key: str,
    *,
    kind: str,
    method: str,
    channel: str,
    payload: dict[str, Any],
    now: datetime,
    chain: str | None = None,
    coalesce_key: str | None = None,
    anchor: str | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Record a delivery; False when one with this key exists already (nothing changes).

    `chain`: deliveries of one chain go out one at a time, in the order they were enqueued
    (a card's post, its updates, its thread lines). `coalesce_key`: a newer delivery
    supersedes older ones with the same key still pending (one `chat.update` with the latest
    state). `anchor`: the key of the delivery that posted the message this one updates
    (`chat.update`) or replies to (`chat.postMessage` in its thread); it waits for it.
    `not_before`: not sent before then (scheduled prompts); None means at once.
    """
    if method not in METHODS:
        raise ValueError(f"unknown delivery method {method!r}")
    values = {
        "team_id": team_id,
        "key": key[:255],
        "kind": kind[:32],
        "method": method,
        "channel": channel,
        "payload": payload,
        "chain": chain,
        "coalesce_key": coalesce_key,
        "anchor": anchor,
        "state": PENDING,
        "attempts": 0,
        "uncertain": False,
        "next_attempt_at": not_before,
        "created_at": now,
    }
    statement = upsert(session, OutboxDelivery, values).on_conflict_do_nothing(
        index_elements=["team_id", "key"]
    )
    inserted = session.execute(statement.returning(OutboxDelivery.id)).scalar()
    if inserted is None:
        return False
    if coalesce_key is not None:
        session.execute(
            update(OutboxDelivery)
            .where(
                OutboxDelivery.team_id == team_id,
                OutboxDelivery.coalesce_key == coalesce_key,
                OutboxDelivery.state == PENDING,
                OutboxDelivery.id < inserted,
            )
            .values(state=SUPERSEDED, last_error=f"superseded by {key[:200]}")
        )
    session.info[_WAKE] = True
    return True


def on_commit(engine: Engine, callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` after every commit on `engine` that enqueued a delivery (the
    dispatcher's wake-up); returns the function that stops it."""
    with _wakers_lock:
        _wakers.setdefault(id(engine), []).append(callback)

    def stop() -> None:
        with _wakers_lock:
            callbacks = _wakers.get(id(engine), [])
            if callback in callbacks:
                callbacks.remove(callback)

    return stop


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.info.pop(_WAKE, False):
        return
    with _wakers_lock:
        callbacks = list(_wakers.get(id(session.bind), []))
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_WAKE, None)


def _write_lock(session: Session) -> None:
    # SQLite: take the write lock before reading, so the read-then-write of a claim never
    # fails with "database is locked" when a request committed in between (WAL snapshots).
    if session.get_bind().dialect.name != "sqlite":
        return
    dbapi = session.connection().connection.dbapi_connection
    if dbapi is not None and not dbapi.in_transaction:
        dbapi.execute("BEGIN IMMEDIATE")


def claim_due(
    session: Session,
    now: datetime,
    *,
    claimer: str,
    lease_until: datetime,
    limit: int,
    accept: Callable[[OutboxDelivery], bool] = lambda row: True,
) -> list[Claimed]:
    """Claim up to `limit` due deliveries that `accept` takes (the pacer says yes), oldest
    first: pending ones whose time has come, and ones whose claimer's lease ran out (that
    claimer died mid-send, so Slack may have posted: they are marked uncertain).

    Only the head of each chain is due, and only once its anchor is no longer open.
    """
    _write_lock(session)
    o = OutboxDelivery
    earlier, anchor = aliased(OutboxDelivery), aliased(OutboxDelivery)
    open_earlier = (
        select(earlier.id)
        .where(
            earlier.team_id == o.team_id,
            earlier.chain == o.chain,
            earlier.id < o.id,
            earlier.state.in_(OPEN_STATES),
        )
        .exists()
    )
    anchor_open = (
        select(anchor.id)
        .where(anchor.team_id == o.team_id, anchor.key == o.anchor, anchor.state.in_(OPEN_STATES))
        .exists()
    )
    due = or_(
        and_(o.state == PENDING, or_(o.next_attempt_at.is_(None), o.next_attempt_at <= now)),
        and_(o.state == SENDING, o.lease_until < now),
    )
    rows = session.scalars(
        select(o)
        .where(due, or_(o.chain.is_(None), ~open_earlier), or_(o.anchor.is_(None), ~anchor_open))
        .order_by(o.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=o)
    ).all()
    taken = [row for row in rows if accept(row)]
    for row in taken:
        if row.state == SENDING and row.method in CREATES_MESSAGE:
            row.uncertain = True  # its claimer may have posted it before dying
        row.state, row.claimed_by, row.lease_until = SENDING, claimer, lease_until
    session.flush()
    anchors = _by_key(session, [(r.team_id, r.anchor) for r in taken if r.anchor])
    return [Claimed(row, anchors.get((row.team_id, row.anchor or ""))) for row in taken]


def _by_key(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], OutboxDelivery]:
    if not keys:
        return {}
    wanted = or_(*(and_(OutboxDelivery.team_id == t, OutboxDelivery.key == k) for t, k in keys))
    return {(r.team_id, r.key): r for r in session.scalars(select(OutboxDelivery).where(wanted))}


def held(session: Session, delivery_id: int, claimer: str) -> OutboxDelivery | None:
    """The row, if `claimer` still holds it (its lease was not taken over)."""
    _write_lock(session)
    row = session.get(OutboxDelivery, delivery_id, with_for_update=True)
    if row is None or row.state != SENDING or row.claimed_by != claimer:
        return None
    return row


def record_sent(
    session: Session,
    delivery_id: int,
    claimer: str,
    now: datetime,
    *,
    channel: str | None,
    ts: str | None,
    scheduled_id: str | None = None,
) -> OutboxDelivery | None:
    """Mark a delivery sent with where its message is (or, for a scheduled message, the ID
    that deletes it, kept in its payload); None when the claim was lost.

    The caller runs its on-sent hook in this same transaction (a card's ts on its ticket).
    """
    row = held(session, delivery_id, claimer)
    if row is None:
        return None
    row.state, row.sent_at, row.lease_until, row.claimed_by = SENT, now, None, None
    row.result_channel, row.result_ts = channel, ts
    if scheduled_id is not None:
        row.payload = {**(row.payload or {}), "scheduled_message_id": scheduled_id}
    row.attempts += 1
    return row


def record_skipped(
    session: Session, delivery_id: int, claimer: str, reason: str
) -> OutboxDelivery | None:
    """End a delivery that has nothing left to say (its ticket is gone, say)."""
    row = held(session, delivery_id, claimer)
    if row is not None:
        row.state, row.last_error, row.lease_until, row.claimed_by = SKIPPED, reason, None, None
    return row


def record_failed(
    session: Session, delivery_id: int, claimer: str, reason: str
) -> OutboxDelivery | None:
    """Fail a delivery for good, with the reason an admin will read."""
    row = held(session, delivery_id, claimer)
    if row is not None:
        row.state, row.last_error, row.lease_until, row.claimed_by = FAILED, reason, None, None
        row.attempts += 1
    return row


def record_retry(
    session: Session,
    delivery_id: int,
    claimer: str,
    at: datetime,
    reason: str | None,
    *,
    attempt: bool,
    uncertain: bool = False,
) -> OutboxDelivery | None:
    """Put a delivery back to wait until `at`: after a failed try (`attempt`), or untried
    (paced, paused). `uncertain`: Slack may have posted it; look before posting again."""
    row = held(session, delivery_id, claimer)
    if row is None:
        return None
    row.state, row.next_attempt_at, row.lease_until, row.claimed_by = PENDING, at, None, None
    row.last_error = reason or row.last_error
    row.uncertain = row.uncertain or uncertain
    if attempt:
        row.attempts += 1
    return row


def mark_direct(session: Session, delivery_id: int, claimer: str, at: datetime) -> None:
    """A scheduled DM Slack said is due already (`time_in_past`): post it directly, now."""
    row = held(session, delivery_id, claimer)
    if row is not None:
        row.payload = {**(row.payload or {}), "direct": True}
        row.state, row.next_attempt_at, row.lease_until, row.claimed_by = PENDING, at, None, None


def remember(session: Session, delivery_id: int, claimer: str, fields: dict[str, Any]) -> None:
    """Keep a choice a try made before its call (where it posts) in the row's payload, so
    every retry makes the same one."""
    row = held(session, delivery_id, claimer)
    if row is not None:
        row.payload = {**(row.payload or {}), **fields}


def drop_pending(session: Session, team_id: str, key: str, reason: str) -> bool:
    """End a delivery that has not been tried yet (no try that may have reached Slack) so
    it is never sent; False when it was tried, is being sent, or has ended."""
    done = session.execute(
        update(OutboxDelivery)
        .where(
            OutboxDelivery.team_id == team_id,
            OutboxDelivery.key == key,
            OutboxDelivery.state == PENDING,
            OutboxDelivery.uncertain.is_(False),
        )
        .values(state=SKIPPED, last_error=reason[:200])
    ).rowcount  # type: ignore[attr-defined]
    return bool(done)


def open_count_of(session: Session, team_id: str, method: str) -> int:
    """A workspace's open deliveries of one method (the queue a new one joins)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxDelivery)
            .where(
                OutboxDelivery.team_id == team_id,
                OutboxDelivery.method == method,
                OutboxDelivery.state.in_(OPEN_STATES),
            )
        )
        or 0
    )


def recover_orphans(session: Session) -> int:
    """Take back every claimed delivery (SQLite at start-up: one process owns the file, so
    any claim is a dead process's); those that create messages become uncertain."""
    _write_lock(session)
    rows = session.scalars(select(OutboxDelivery).where(OutboxDelivery.state == SENDING)).all()
    for row in rows:
        row.uncertain = row.uncertain or row.method in CREATES_MESSAGE
        row.state, row.lease_until, row.claimed_by = PENDING, None, None
    return len(rows)


def get(session: Session, team_id: str, key: str) -> OutboxDelivery | None:
    """One delivery by its key."""
    return session.scalar(
        select(OutboxDelivery).where(OutboxDelivery.team_id == team_id, OutboxDelivery.key == key)
    )


def open_count(session: Session, team_id: str | None = None) -> int:
    """Deliveries not yet sent or failed (all workspaces when `team_id` is None)."""
    query = select(func.count()).where(OutboxDelivery.state.in_(OPEN_STATES))
    if team_id is not None:
        query = query.where(OutboxDelivery.team_id == team_id)
    return int(session.scalar(query.select_from(OutboxDelivery)) or 0)


def next_due(session: Session) -> datetime | None:
    """The earliest instant a pending delivery is waiting for (None: none is waiting)."""
    return session.scalar(
        select(func.min(OutboxDelivery.next_attempt_at)).where(OutboxDelivery.state == PENDING)
    )


def failed(session: Session, team_id: str, *, limit: int = 50) -> list[OutboxDelivery]:
    """A workspace's failed deliveries, newest first (for `/rolecall deliveries`)."""
    return list(
        session.scalars(
            select(OutboxDelivery)
            .where(OutboxDelivery.team_id == team_id, OutboxDelivery.state == FAILED)
            .order_by(OutboxDelivery.id.desc())
            .limit(limit)
        )
    )


def failed_count(session: Session, team_id: str) -> int:
    """How many deliveries failed for good in a workspace (the App Home count)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxDelivery)
            .where(OutboxDelivery.team_id == team_id, OutboxDelivery.state == FAILED)
        )
        or 0
    )


def retry(session: Session, team_id: str, ids: Iterable[int] | None = None) -> int:
    """Send failed deliveries again (after an admin fixed the cause); all of a workspace's
    when `ids` is None. Returns how many were reset."""
    query = update(OutboxDelivery).where(
        OutboxDelivery.team_id == team_id, OutboxDelivery.state == FAILED
    )
    if ids is not None:
        query = query.where(OutboxDelivery.id.in_(list(ids)))
    done = session.execute(query.values(state=PENDING, attempts=0, next_attempt_at=None)).rowcount  # type: ignore[attr-defined]
    if done:
        session.info[_WAKE] = True
    return int(done or 0)


def prune(session: Session, before: datetime) -> int:
    """Forget deliveries that ended before `before` (keys are idempotent only while kept)."""
    ended = OutboxDelivery.state.in_((SENT, SKIPPED, SUPERSEDED))
    done = session.execute(
        delete(OutboxDelivery).where(ended, OutboxDelivery.created_at < before)
    ).rowcount  # type: ignore[attr-defined]
    return int(done or 0)
