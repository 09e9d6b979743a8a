"""Tickets, their history and per-workspace numbering."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    func,
    literal_column,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Ticket, TicketCounter, TicketEvent, WorkspaceSetting


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


def add_numbered(session: Session, ticket: Ticket) -> bool:
    """Insert a ticket under its workspace's next number; False when its dedupe key is
    already used (filed before, perhaps at the same moment).

    Number and row share one savepoint, so a lost dedupe race gives the number back.
    """
    try:
        with session.begin_nested():
            ticket.number = next_number(session, ticket.team_id)
            session.add(ticket)
            session.flush()
    except IntegrityError:
        if ticket.dedupe_key is None:
            raise
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
    session: Session, ticket: Ticket, expected: Mapping[str, Any], **values: Any
) -> bool:
    """Change a ticket only if its columns still hold the `expected` values in the store
    (None: still empty); False when they did not.

    Two people acting at once both read the old state; only one UPDATE matches.
    """
    guard = [_holds(getattr(Ticket, name), value) for name, value in expected.items()]
    changed = session.execute(update(Ticket).where(Ticket.id == ticket.id, *guard).values(**values))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(ticket)
    return True


def _holds(column: Any, value: Any) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


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


@dataclass(frozen=True)
class TicketFilter:
    """Which of a workspace's tickets a list shows; every field given narrows it (None: any).

    `involving` is a user who reported the ticket or holds it.
    """

    statuses: tuple[str, ...] | None = None
    severities: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    involving: str | None = None


def _where(team_id: str, which: TicketFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Ticket.team_id == team_id]
    if which.statuses is not None:
        conditions.append(Ticket.status.in_(which.statuses))
    if which.severities is not None:
        conditions.append(Ticket.severity.in_(which.severities))
    if which.categories is not None:
        conditions.append(Ticket.category.in_(which.categories))
    if which.involving is not None:
        conditions.append(
            or_(Ticket.assignee_id == which.involving, Ticket.reporter_id == which.involving)
        )
    return conditions


def count_capped(session: Session, team_id: str, which: TicketFilter) -> int:
    """How many tickets match, counted up to COUNT_CAP (the count stops there, so it is cheap)."""
    capped = select(Ticket.id).where(*_where(team_id, which)).limit(COUNT_CAP).subquery()
    return int(session.scalar(select(func.count()).select_from(capped)) or 0)


def newest(session: Session, team_id: str, which: TicketFilter, limit: int) -> list[Ticket]:
    """Up to `limit` matching tickets, newest (highest number) first."""
    query = select(Ticket).where(*_where(team_id, which)).order_by(Ticket.number.desc())
    return list(session.scalars(query.limit(limit)))


def newest_by_severity(
    session: Session, team_id: str, which: TicketFilter, limit: int
) -> list[Ticket]:
    """Up to `limit` matching tickets: `which.severities` in the order given, newest (highest
    number) first within each. `which` must name its severities and statuses.

    One query per severity, asking only for what is still missing, none once the page is
    full. Each is a UNION ALL of one range of ix_tickets_list (team, severity, status,
    number) per status, read newest first with LIMIT: no query sorts more than `limit` rows
    per status, however many tickets the workspace has.
    """
    if which.severities is None or which.statuses is None:
        raise ValueError("newest_by_severity needs the severities and statuses spelled out")
    found: list[Ticket] = []
    for severity in which.severities:
        wanted = limit - len(found)
        if wanted <= 0:
            break
        found += _newest_of_severity(session, team_id, which, severity, wanted)
    return found


def _newest_of_severity(
    session: Session, team_id: str, which: TicketFilter, severity: str, limit: int
) -> list[Ticket]:
    conditions = _where(team_id, replace(which, statuses=None, severities=None))
    ranges = [
        select(Ticket)
        .where(*conditions, Ticket.severity == severity, Ticket.status == status)
        .order_by(Ticket.number.desc())
        .limit(limit)
        for status in which.statuses or ()
    ]
    if len(ranges) == 1:
        return list(session.scalars(ranges[0]))
    merged = union_all(*(r.subquery().select() for r in ranges))
    newest_first = merged.order_by(literal_column("number").desc()).limit(limit)
    return list(session.scalars(select(Ticket).from_statement(newest_first)))


def matching_words(
    session: Session, team_id: str, words: Sequence[str], limit: int, scan: int
) -> tuple[list[Ticket], int, bool]:
    """Tickets whose text (summary, description, customer, root cause, solution) has every
    word, newest first: up to `limit` of them, how many match (up to COUNT_CAP), and whether
    older tickets were left out.

    Only the newest `scan` tickets of the workspace are read, so a search costs the same
    however large the workspace grows.
    """
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
    # The newest ticket left out, if any: everything above its number is read.
    first_unread = session.scalar(
        select(Ticket.number)
        .where(Ticket.team_id == team_id)
        .order_by(Ticket.number.desc())
        .offset(scan)
        .limit(1)
    )
    if first_unread is not None:
        conditions.append(Ticket.number > first_unread)
    query = select(Ticket).where(Ticket.team_id == team_id, and_(*conditions))
    capped = query.with_only_columns(Ticket.id).limit(COUNT_CAP).subquery()
    total = int(session.scalar(select(func.count()).select_from(capped)) or 0)
    if not total:
        return [], 0, first_unread is not None
    found = list(session.scalars(query.order_by(Ticket.number.desc()).limit(limit)))
    return found, total, first_unread is not None


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


def overdue_new(
    session: Session,
    cutoffs: Mapping[str, datetime],
    other_cutoff: datetime,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[Ticket]:
    """Tickets of every workspace still `new`, never flagged, filed at or before their
    severity's cutoff (`other_cutoff` for a severity not in `cutoffs`): up to `limit` of
    them, oldest first by (created_at, id), after the keyset `after` when given.

    Reads ix_tickets_status_created; a ticket not yet past its cutoff is never read, so
    however many young tickets a workspace has, they cannot crowd out overdue ones.
    """
    past_cutoff = or_(
        *(
            and_(Ticket.severity == severity, Ticket.created_at <= cutoff)
            for severity, cutoff in cutoffs.items()
        ),
        and_(Ticket.severity.not_in(tuple(cutoffs)), Ticket.created_at <= other_cutoff),
    )
    query = select(Ticket).where(Ticket.status == "new", Ticket.flagged_at.is_(None), past_cutoff)
    if after is not None:
        created, ticket_id = after
        query = query.where(
            or_(
                Ticket.created_at > created,
                and_(Ticket.created_at == created, Ticket.id > ticket_id),
            )
        )
    return list(session.scalars(query.order_by(Ticket.created_at, Ticket.id).limit(limit)))


def setting_values(session: Session, key: str) -> list[str]:
    """Every workspace's own value of one setting (e.g. every first-response override), for
    cross-workspace work such as the first-response flag."""
    return list(session.scalars(select(WorkspaceSetting.value).where(WorkspaceSetting.key == key)))


@dataclass(frozen=True)
class WeekFigures:
    """A workspace's queue over [start, end): filed and resolved in it, open at its end."""

    filed: int
    resolved: int
    open: int
    oldest_open: datetime | None
    open_by_severity: dict[str, int]


def week_figures(session: Session, team_id: str, start: datetime, end: datetime) -> WeekFigures:
    """The queue's figures over [start, end) (customer support's weekly update). Open at
    `end`: filed before it and not resolved or closed by then (as far as the store tells:
    a reopened ticket counts from its reopening)."""
    mine = Ticket.team_id == team_id
    filed = session.scalar(
        select(func.count()).where(mine, Ticket.created_at >= start, Ticket.created_at < end)
    )
    resolved = session.scalar(
        select(func.count()).where(mine, Ticket.resolved_at >= start, Ticket.resolved_at < end)
    )
    still_open = and_(
        mine,
        Ticket.created_at < end,
        or_(
            Ticket.status.in_(("new", "analyzing")),
            Ticket.resolved_at >= end,
            and_(Ticket.resolved_at.is_(None), Ticket.closed_at >= end),
        ),
    )
    by_severity = {
        severity: int(count)
        for severity, count in session.execute(
            select(Ticket.severity, func.count()).where(still_open).group_by(Ticket.severity)
        )
    }
    oldest = session.scalar(select(func.min(Ticket.created_at)).where(still_open))
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)  # an aggregate's result skips the column type
    return WeekFigures(
        int(filed or 0), int(resolved or 0), sum(by_severity.values()), oldest, by_severity
    )
