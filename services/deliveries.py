"""What call sites use to send to Slack: each function records a delivery in the caller's
transaction (so a change that rolls back sends nothing), under a key that makes it once-only.

The dispatcher (handlers.delivery) sends them, paced and retried; admins see the ones that
failed for good (`failures`) and send them again once the cause is fixed (`retry_failed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from domain.delivery import (
    DEFAULT_LIMITS,
    DM,
    EPHEMERAL,
    PACING_MARGIN,
    POST,
    SCHEDULE,
    SCHEDULE_LEAD,
    UNSCHEDULE,
    UPDATE,
)
from storage import deliveries


def _content(text: str, blocks: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {"text": text, **({"blocks": blocks} if blocks else {})}


def post(
    session: Session,
    team_id: str,
    key: str,
    channel: str,
    text: str,
    *,
    now: datetime,
    blocks: list[dict[str, Any]] | None = None,
    thread_ts: str | None = None,
    kind: str = "message",
    chain: str | None = None,
    anchor: str | None = None,
    not_before: datetime | None = None,
) -> bool:
    """A message in a channel (in a thread with `thread_ts`, or in the thread of the message
    delivery `anchor` posts); False when `key` was enqueued before."""
    payload = _content(text, blocks) | ({"thread_ts": thread_ts} if thread_ts else {})
    return deliveries.enqueue(
        session,
        team_id,
        key,
        kind=kind,
        method=POST,
        channel=channel,
        payload=payload,
        now=now,
        chain=chain,
        anchor=anchor,
        not_before=not_before,
    )


def dm(
    session: Session,
    team_id: str,
    key: str,
    user_id: str,
    text: str,
    *,
    now: datetime,
    blocks: list[dict[str, Any]] | None = None,
    kind: str = "dm",
    not_before: datetime | None = None,
    extra: dict[str, Any] | None = None,
) -> bool:
    """A direct message to one person. `extra` is what the kind's renderer reads at send
    time (it must take it out of the Web API arguments)."""
    return deliveries.enqueue(
        session,
        team_id,
        key,
        kind=kind,
        method=DM,
        channel=user_id,
        payload=_content(text, blocks) | (extra or {}),
        now=now,
        not_before=not_before,
    )


@dataclass(frozen=True)
class ScheduledDm:
    """A DM to post at `post_at` (scheduled in Slack ahead of it); `extra` as for `dm`."""

    key: str
    user_id: str
    text: str
    post_at: datetime
    blocks: list[dict[str, Any]] | None = None
    extra: dict[str, Any] | None = None


def schedule_dms(
    session: Session, team_id: str, dms: Sequence[ScheduledDm], *, now: datetime, kind: str
) -> int:
    """DMs scheduled in Slack (chat.scheduleMessage) for their `post_at`; how many are new.

    Scheduling is Tier 3 (~50 a minute a workspace), so each waits for its place in the
    workspace's queue of schedulings (spread at the rate the pacer spends, behind those
    already queued): a thousand of them never sit at the head of the outbox, refused by the
    pacer, holding up cards and replies. One whose place comes too late to schedule is a
    plain DM posted at its `post_at`: it takes no place in the queue. The dispatcher decides
    again at send time (domain.delivery.sending_method).
    """
    rate = DEFAULT_LIMITS[SCHEDULE].workspace.rate * PACING_MARGIN
    place = deliveries.open_count_of(session, team_id, SCHEDULE)
    made = 0
    for dm in dms:
        turn = now + timedelta(seconds=place / rate)
        content = _content(dm.text, dm.blocks) | (dm.extra or {})
        if turn > dm.post_at - timedelta(seconds=SCHEDULE_LEAD):
            made += deliveries.enqueue(
                session,
                team_id,
                dm.key,
                kind=kind,
                method=DM,
                channel=dm.user_id,
                payload=content,
                now=now,
                not_before=dm.post_at if dm.post_at > now else None,
            )
            continue
        new = deliveries.enqueue(
            session,
            team_id,
            dm.key,
            kind=kind,
            method=SCHEDULE,
            channel=dm.user_id,
            payload=content | {"post_at": int(dm.post_at.timestamp())},
            now=now,
            not_before=turn if turn > now else None,
        )
        place += new  # a delivery already queued (enqueue kept it) holds its place already
        made += new
    return made


def unschedule(
    session: Session,
    team_id: str,
    key: str,
    scheduling_key: str,
    *,
    now: datetime,
    channel: str | None = None,
    scheduled_message_id: str | None = None,
    kind: str = "unschedule",
    extra: dict[str, Any] | None = None,
) -> bool:
    """Cancel the DM the delivery `scheduling_key` schedules: dropped if it was never tried,
    else deleted in Slack once it is scheduled (chat.deleteScheduledMessage; nothing to do
    if it went directly or has posted). False when nothing was enqueued. `extra` is for
    the kind's hooks (what the deletion's success changes)."""
    if deliveries.drop_pending(session, team_id, scheduling_key, f"cancelled by {key}"):
        return False
    ids = {"scheduled_message_id": scheduled_message_id} if scheduled_message_id else {}
    ids |= extra or {}
    return deliveries.enqueue(
        session,
        team_id,
        key,
        kind=kind,
        method=UNSCHEDULE,
        channel=channel or "",
        payload=ids,
        now=now,
        anchor=scheduling_key,
    )


def payload_of(session: Session, team_id: str, key: str) -> dict[str, Any] | None:
    """What the delivery `key` was enqueued with (its `extra` included); None if unknown."""
    row = deliveries.get(session, team_id, key)
    return dict(row.payload or {}) if row is not None else None


def update(
    session: Session,
    team_id: str,
    key: str,
    text: str,
    *,
    now: datetime,
    blocks: list[dict[str, Any]] | None = None,
    channel: str = "",
    ts: str | None = None,
    anchor: str | None = None,
    kind: str = "update",
    chain: str | None = None,
    coalesce_key: str | None = None,
) -> bool:
    """Replace a message: the one at (`channel`, `ts`), or the one delivery `anchor` posts
    (waiting for it). With `coalesce_key`, a later update supersedes this one if both are
    still waiting, so only the latest state is sent."""
    if not anchor and not (channel and ts):
        raise ValueError("an update needs channel and ts, or an anchor")
    return deliveries.enqueue(
        session,
        team_id,
        key,
        kind=kind,
        method=UPDATE,
        channel=channel,
        payload=_content(text, blocks) | ({"ts": ts} if ts else {}),
        now=now,
        chain=chain,
        anchor=anchor,
        coalesce_key=coalesce_key,
    )


def ephemeral(
    session: Session,
    team_id: str,
    key: str,
    channel: str,
    user_id: str,
    text: str,
    *,
    now: datetime,
    blocks: list[dict[str, Any]] | None = None,
) -> bool:
    """A message only `user_id` sees in `channel` (not for answers to an interaction: those
    go to its response_url at once, never through the queue)."""
    return deliveries.enqueue(
        session,
        team_id,
        key,
        kind="ephemeral",
        method=EPHEMERAL,
        channel=channel,
        payload=_content(text, blocks) | {"user": user_id},
        now=now,
    )


@dataclass(frozen=True)
class Failure:
    """A delivery that failed for good, as an admin sees it."""

    id: int
    kind: str
    target: str
    reason: str
    created_at: datetime


def failures(session: Session, team_id: str, *, limit: int = 50) -> list[Failure]:
    """The workspace's failed deliveries, newest first."""
    return [
        Failure(row.id, row.kind, row.channel, row.last_error or "", row.created_at)
        for row in deliveries.failed(session, team_id, limit=limit)
    ]


def failure_count(session: Session, team_id: str) -> int:
    """How many deliveries failed for good (the App Home count)."""
    return deliveries.failed_count(session, team_id)


def retry_failed(session: Session, team_id: str, ids: list[int] | None = None) -> int:
    """Send failed deliveries again (all of the workspace's when `ids` is None)."""
    return deliveries.retry(session, team_id, ids)


# --- the ticket card: rendered from the store when sent (handlers.issue_outbox) -------------
CARD, CARD_LINE = "ticket_card", "ticket_line"


def ticket_chain(ticket_id: int) -> str:
    """The chain of everything about one ticket's card: its post, updates, thread lines."""
    return f"ticket:{ticket_id}"


def card_post(session: Session, team_id: str, ticket_id: int, channel: str, now: datetime) -> bool:
    """The ticket's card in `channel` (once: a ticket has one card post)."""
    return deliveries.enqueue(
        session,
        team_id,
        f"card:{ticket_id}",
        kind=CARD,
        method=POST,
        channel=channel,
        payload={"ticket_id": ticket_id},
        now=now,
        chain=ticket_chain(ticket_id),
    )


def card_update(
    session: Session, team_id: str, ticket_id: int, change_key: str, now: datetime
) -> bool:
    """The card shows the ticket's latest state: after its post, and pending updates of one
    card coalesce into one. `change_key` names the change (its event ID)."""
    return deliveries.enqueue(
        session,
        team_id,
        f"card:{ticket_id}:{change_key}",
        kind=CARD,
        method=UPDATE,
        channel="",
        payload={"ticket_id": ticket_id},
        now=now,
        chain=ticket_chain(ticket_id),
        coalesce_key=f"card:{ticket_id}",
    )


def card_line(
    session: Session, team_id: str, ticket_id: int, change_key: str, text: str, now: datetime
) -> bool:
    """A line in the card's thread (the ticket's story), after everything queued before it."""
    return deliveries.enqueue(
        session,
        team_id,
        f"line:{ticket_id}:{change_key}",
        kind=CARD_LINE,
        method=POST,
        channel="",
        payload={"ticket_id": ticket_id, "text": text},
        now=now,
        chain=ticket_chain(ticket_id),
    )
