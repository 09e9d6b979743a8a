"""Reading the support queue: lists, search, history, root causes, overdue first responses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from domain.errors import UsageError
from domain.tickets import (
    FEEDBACK_CATEGORIES,
    LIST_FILTERS,
    OPEN_STATUSES,
    SEVERITY_RANK,
    USAGE,
    rank_categories,
    rank_causes,
)
from storage.models import Ticket, TicketEvent
from storage.tickets import (
    COUNT_CAP,
    compare_and_set,
    events_of,
    matching_words,
    page,
    resolved_since,
    unflagged_new,
)

PAGE = 20
MAX_DAYS = 3650


@dataclass(frozen=True)
class TicketPage:
    """Some tickets, and how many matched in all (up to COUNT_CAP)."""

    tickets: list[Ticket]
    total: int

    @property
    def shown_total(self) -> str:
        """The count as a person reads it: '1000+' once the count was capped."""
        return f"{self.total}+" if self.total >= COUNT_CAP else str(self.total)


@dataclass(frozen=True)
class Causes:
    """What resolved tickets were about, over the last `days`."""

    days: int
    resolved: int
    causes: list[tuple[str, int]]
    categories: list[tuple[str, int]]


def list_tickets(session: Session, team_id: str, which: str, user_id: str) -> TicketPage:
    """`/issue list [open|mine|all|urgent|feedback]`: most severe, then newest, first."""
    if which not in LIST_FILTERS:
        raise UsageError("issue.list.bad_filter", usage=USAGE, text=which)
    rank = case(SEVERITY_RANK, value=Ticket.severity, else_=len(SEVERITY_RANK))
    query = select(Ticket).where(Ticket.team_id == team_id)
    if which == "open":
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    elif which == "urgent":
        query = query.where(Ticket.status.in_(OPEN_STATUSES), Ticket.severity == "urgent")
    elif which == "mine":
        mine = or_(Ticket.assignee_id == user_id, Ticket.reporter_id == user_id)
        query = query.where(Ticket.status != "closed", mine)
    elif which == "feedback":
        query = query.where(Ticket.category.in_(FEEDBACK_CATEGORIES))
    order = (Ticket.number.desc(),) if which == "all" else (rank, Ticket.number.desc())
    return TicketPage(*page(session, query.order_by(*order), PAGE))


def search(session: Session, team_id: str, text: str) -> TicketPage:
    """Tickets whose summary, description, customer, root cause or solution has every word."""
    words = [w for w in text.split() if w]
    if not words:
        raise UsageError("issue.search.empty", usage=USAGE)
    return TicketPage(*page(session, matching_words(team_id, words[:10]), PAGE))


def history(session: Session, ticket: Ticket) -> list[TicketEvent]:
    """The ticket's changes, oldest first."""
    return events_of(session, ticket)


def causes(session: Session, team_id: str, days: int, now: datetime) -> Causes:
    """The most frequent root causes and categories of tickets resolved in the last `days`."""
    if not 0 < days <= MAX_DAYS:
        raise UsageError("issue.causes.bad_days", usage=USAGE, text=str(days), limit=MAX_DAYS)
    rows = resolved_since(session, team_id, now - timedelta(days=days))
    return Causes(
        days=days,
        resolved=len(rows),
        causes=rank_causes(cause for cause, _ in rows),
        categories=rank_categories(category for _, category in rows),
    )


def waiting_new(session: Session, now: datetime) -> list[Ticket]:
    """Tickets of every workspace still `new` and never flagged (candidates for the flag)."""
    return unflagged_new(session, now - timedelta(minutes=1))


def mark_flagged(session: Session, ticket: Ticket, now: datetime) -> bool:
    """Claim the one first-response flag of a ticket; False when already flagged or answered."""
    guard = Ticket.flagged_at.is_(None) & (Ticket.status == "new")
    return compare_and_set(session, ticket, guard, flagged_at=now)


def unmark_flagged(session: Session, ticket_id: int) -> None:
    """Give the flag back when posting it failed, so the next tick tries again."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is not None:
        ticket.flagged_at = None
