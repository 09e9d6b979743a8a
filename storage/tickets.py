"""Tickets, their history and per-workspace numbering."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Ticket, TicketCounter, TicketEvent


def next_number(session: Session, team_id: str) -> int:
    """The next ticket number of a workspace; concurrent callers never get the same one.

    The counter row is bumped by an UPDATE first: that takes the row lock on PostgreSQL and
    the write lock on SQLite, so the read that follows sees our own increment only.
    """
    bumped = session.execute(
        update(TicketCounter)
        .where(TicketCounter.team_id == team_id)
        .values(last_number=TicketCounter.last_number + 1)
    )
    if bumped.rowcount == 0:  # type: ignore[attr-defined]
        try:
            with session.begin_nested():
                session.add(TicketCounter(team_id=team_id, last_number=1))
            return 1
        except IntegrityError:
            return next_number(session, team_id)  # another filer created the row first
    return int(
        session.scalar(select(TicketCounter.last_number).where(TicketCounter.team_id == team_id))
        or 0
    )


def add_ticket(session: Session, ticket: Ticket) -> bool:
    """Insert a ticket; False when its dedupe key is already used (filed before)."""
    try:
        with session.begin_nested():
            session.add(ticket)
    except IntegrityError:
        return False
    return True


def by_number(session: Session, team_id: str, number: int) -> Ticket | None:
    """A workspace's ticket by its number."""
    return session.scalar(select(Ticket).where(Ticket.team_id == team_id, Ticket.number == number))


def by_dedupe_key(session: Session, team_id: str, key: str) -> Ticket | None:
    """The ticket filed under a dedupe key (a message, a modal), if any."""
    return session.scalar(select(Ticket).where(Ticket.team_id == team_id, Ticket.dedupe_key == key))


def by_id(session: Session, ticket_id: int) -> Ticket | None:
    """A ticket by its row id (for after-ack work that carries the id)."""
    return session.get(Ticket, ticket_id)


def compare_and_set(
    session: Session, ticket: Ticket, condition: ColumnElement[bool], **values: Any
) -> bool:
    """Change a ticket only if `condition` still holds in the store; False when it did not.

    Two people acting at once both read the old state; only one UPDATE matches.
    """
    changed = session.execute(
        update(Ticket).where(Ticket.id == ticket.id, condition).values(**values)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(ticket)
    return True


def add_event(
    session: Session,
    ticket: Ticket,
    action: str,
    actor_id: str,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> TicketEvent:
    """Record one change in the ticket's history."""
    event = TicketEvent(
        team_id=ticket.team_id,
        ticket_id=ticket.id,
        action=action,
        actor_id=actor_id,
        detail=detail or {},
        at=at,
    )
    session.add(event)
    session.flush()
    return event


def events_of(session: Session, ticket: Ticket, limit: int = 50) -> list[TicketEvent]:
    """The ticket's history, oldest first (the latest `limit` changes)."""
    rows = session.scalars(
        select(TicketEvent)
        .where(TicketEvent.team_id == ticket.team_id, TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
        .limit(limit)
    )
    return list(reversed(list(rows)))


COUNT_CAP = 1000


def page(session: Session, query: Select[Any], limit: int) -> tuple[list[Ticket], int]:
    """Up to `limit` tickets of a query, and how many match (counted up to COUNT_CAP).

    The count stops at the cap so a search over 100 000 tickets stays fast in the ack.
    """
    capped = query.order_by(None).limit(COUNT_CAP).subquery()
    total = session.scalar(select(func.count()).select_from(capped))
    return list(session.scalars(query.limit(limit))), int(total or 0)


def matching_words(team_id: str, words: Sequence[str]) -> Select[Any]:
    """Tickets whose text (summary, description, customer, root cause, solution) has every word."""
    fields = (
        Ticket.summary,
        Ticket.description,
        Ticket.customer,
        Ticket.root_cause,
        Ticket.solution,
    )
    conditions = [
        or_(*(func.lower(f).contains(word.lower(), autoescape=True) for f in fields))
        for word in words
    ]
    return (
        select(Ticket)
        .where(Ticket.team_id == team_id, and_(*conditions))
        .order_by(Ticket.number.desc())
    )


def resolved_since(session: Session, team_id: str, since: datetime) -> list[tuple[str, str]]:
    """(root cause, category) of the tickets resolved since `since` (closed ones included)."""
    rows = session.execute(
        select(Ticket.root_cause, Ticket.category).where(
            Ticket.team_id == team_id,
            Ticket.status.in_(("resolved", "closed")),
            Ticket.resolved_at >= since,
        )
    )
    return [(cause or "", category) for cause, category in rows]


def unflagged_new(session: Session, created_before: datetime, limit: int = 500) -> list[Ticket]:
    """Tickets of every workspace still `new`, never flagged, filed before an instant."""
    return list(
        session.scalars(
            select(Ticket)
            .where(
                Ticket.status == "new",
                Ticket.flagged_at.is_(None),
                Ticket.created_at <= created_before,
            )
            .order_by(Ticket.created_at)
            .limit(limit)
        )
    )
