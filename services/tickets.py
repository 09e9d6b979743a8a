"""The support queue's use cases: file, assign, take, move, escalate, resolve, close, reopen.

Every change writes a TicketEvent (who, when, what) and returns a `Change` describing it, so
the handlers can update the card, the thread and the people concerned after the ack.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from domain.errors import Conflict, NotAllowed, NotFound, UsageError
from domain.parsing import check_text, has_control, is_channel
from domain.permissions import TECH_LEAD_ROLE, Actor, may
from domain.routing import AWAY, NO_HOLDER, VACATED, Routing
from domain.tickets import USAGE, check_fields, next_status
from services.routing import route_role
from storage.models import Ticket
from storage.roles import roles_of
from storage.tickets import add_event, add_numbered, by_dedupe_key, by_number, compare_and_set

PRODUCT_ROLE = "product-manager"
IsAdmin = Callable[[], bool]  # asked only when being an admin would make the difference
PERMALINK_LIMIT = 1000
DEDUPE_LIMIT = 255  # the column's length
_TS = re.compile(r"^\d{1,20}\.\d{1,12}$")


@dataclass(frozen=True)
class Source:
    """The Slack message a ticket was filed from."""

    channel: str
    ts: str
    thread_ts: str | None = None
    permalink: str | None = None


@dataclass(frozen=True)
class NewTicket:
    """What a reporter filed."""

    summary: str
    severity: str
    category: str
    description: str = ""
    customer: str | None = None


@dataclass(frozen=True)
class Change:
    """One change made to a ticket, for the follow-ups after the ack."""

    ticket_id: int
    number: int
    action: str
    actor_id: str
    old_status: str
    new_status: str
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def status_changed(self) -> bool:
        """Whether the ticket's status moved."""
        return self.old_status != self.new_status


def file_ticket(
    session: Session,
    team_id: str,
    reporter_id: str,
    filed: NewTicket,
    now: datetime,
    *,
    dedupe_key: str | None = None,
    source: Source | None = None,
) -> tuple[Ticket, bool]:
    """File a ticket; with a dedupe key already used, the earlier ticket and False."""
    check_fields(summary=filed.summary, customer=filed.customer, description=filed.description)
    if source is not None:
        _check_source(source)
    if dedupe_key is not None and (len(dedupe_key) > DEDUPE_LIMIT or has_control(dedupe_key)):
        raise UsageError("issue.bad_source", usage=USAGE)
    if dedupe_key is not None and (earlier := by_dedupe_key(session, team_id, dedupe_key)):
        return earlier, False
    ticket = _new_ticket(team_id, reporter_id, filed, now)
    ticket.dedupe_key = dedupe_key
    if source is not None:
        ticket.source_channel, ticket.source_ts = source.channel, source.ts
        ticket.source_thread_ts = source.thread_ts or source.ts
        ticket.source_permalink = source.permalink
    if not add_numbered(session, ticket):
        earlier = by_dedupe_key(session, team_id, dedupe_key) if dedupe_key else None
        if earlier is None:
            raise RuntimeError(f"ticket {dedupe_key!r} conflicted, yet no ticket holds the key")
        return earlier, False
    add_event(session, ticket, "filed", reporter_id, now, {"severity": filed.severity})
    return ticket, True


def _check_source(source: Source) -> None:
    """A message reference names a channel and a message timestamp, as Slack writes them."""
    stamps = [source.ts] + ([source.thread_ts] if source.thread_ts else [])
    if not is_channel(source.channel) or not all(_TS.match(ts) for ts in stamps):
        raise UsageError("issue.bad_source", usage=USAGE)
    check_text(source.permalink or "", usage=USAGE, limit=PERMALINK_LIMIT)


def _new_ticket(team_id: str, reporter_id: str, filed: NewTicket, now: datetime) -> Ticket:
    return Ticket(
        team_id=team_id,
        summary=filed.summary,
        description=filed.description,
        customer=filed.customer,
        severity=filed.severity,
        category=filed.category,
        status="new",
        reporter_id=reporter_id,
        created_at=now,
        updated_at=now,
    )


def get_ticket(session: Session, team_id: str, number: int) -> Ticket:
    """A workspace's ticket by number; NotFound otherwise (other workspaces' included)."""
    ticket = by_number(session, team_id, number)
    if ticket is None:
        raise NotFound("issue.not_found", usage=USAGE, number=number)
    return ticket


def actor_of(session: Session, team_id: str, user_id: str) -> Actor:
    """The person as the ticket rules see them: the roles they hold (admin still unknown)."""
    return Actor(user_id, frozenset(roles_of(session, team_id, user_id)))


def require(
    session: Session, ticket: Ticket, action: str, actor_id: str, is_admin: IsAdmin
) -> None:
    """Refuse whoever the rules (domain.permissions.may) do not let do `action`; then refuse
    an action the ticket's status does not allow."""
    actor = actor_of(session, ticket.team_id, actor_id)
    allowed = may(actor, action, ticket) or (may(actor.as_admin(), action, ticket) and is_admin())
    if not allowed:
        raise NotAllowed(f"issue.{action}.not_allowed", number=ticket.number)
    next_status(ticket.status, "assign" if action == "take" else action, ticket.number)


def _apply(
    session: Session,
    ticket: Ticket,
    action: str,
    actor_id: str,
    now: datetime,
    *,
    detail: dict[str, Any] | None = None,
    expected: dict[str, Any] | None = None,
    **values: Any,
) -> Change:
    """Move a ticket by `action` if nobody changed its status or assignee (on which the
    permission may rest), nor the `expected` columns, meanwhile; record the event."""
    old = ticket.status
    new = next_status(old, action, ticket.number)
    guard = {"assignee_id": ticket.assignee_id, **(expected or {}), "status": old}
    if not compare_and_set(session, ticket, guard, status=new, updated_at=now, **values):
        session.refresh(ticket)
        next_status(ticket.status, action, ticket.number)  # refuses with the new state's reason
        raise Conflict("issue.changed_meanwhile", number=ticket.number)
    add_event(session, ticket, action, actor_id, now, detail)
    return Change(ticket.id, ticket.number, action, actor_id, old, new, detail or {})


def take(
    session: Session, team_id: str, number: int, user_id: str, now: datetime, is_admin: IsAdmin
) -> Change:
    """Assign the ticket to oneself (agents); of two people taking at once exactly one wins."""
    ticket = get_ticket(session, team_id, number)
    require(session, ticket, "take", user_id, is_admin)
    _refuse_taken(ticket, user_id)
    try:
        return _apply(
            session,
            ticket,
            "assign",
            user_id,
            now,
            detail={"assignee": user_id, "took": True},
            expected={"assignee_id": None},
            assignee_id=user_id,
        )
    except Conflict:
        session.refresh(ticket)
        _refuse_taken(ticket, user_id)
        raise


def _refuse_taken(ticket: Ticket, user_id: str) -> None:
    if ticket.assignee_id == user_id:
        raise Conflict("issue.take.already_yours", number=ticket.number)
    if ticket.assignee_id is not None:
        raise Conflict("issue.take.taken", number=ticket.number, user=ticket.assignee_id)


def assign(
    session: Session,
    team_id: str,
    number: int,
    assignee_id: str,
    actor_id: str,
    now: datetime,
    is_admin: IsAdmin,
) -> Change:
    """Give the ticket to someone, replacing whoever had it (agents)."""
    ticket = get_ticket(session, team_id, number)
    require(session, ticket, "assign", actor_id, is_admin)
    if ticket.assignee_id == assignee_id:
        raise Conflict("issue.assign.already", number=number, user=assignee_id)
    detail = {"assignee": assignee_id, "previous": ticket.assignee_id}
    return _apply(session, ticket, "assign", actor_id, now, detail=detail, assignee_id=assignee_id)


def analyze(
    session: Session, team_id: str, number: int, actor_id: str, now: datetime, is_admin: IsAdmin
) -> Change:
    """Start analysing a new ticket (taking it too when nobody has)."""
    ticket = get_ticket(session, team_id, number)
    require(session, ticket, "analyze", actor_id, is_admin)
    assignee = ticket.assignee_id or actor_id
    return _apply(session, ticket, "analyze", actor_id, now, assignee_id=assignee)


def escalate(
    session: Session,
    team_id: str,
    number: int,
    actor_id: str,
    now: datetime,
    is_admin: IsAdmin,
    packet: dict[str, str] | None = None,
    *,
    day: date,
) -> tuple[Change, Routing]:
    """Escalate to whom the tech-lead role routes to on `day` (returned): its holders who
    are here, else its backup; refused when nobody can be told."""
    ticket = get_ticket(session, team_id, number)
    routing = check_escalation(session, ticket, actor_id, is_admin, day)
    check_fields(**(packet or {}))
    to: dict[str, Any] = {"to": list(routing.people)}
    if routing.backup:  # the thread, the DM and the card say the backup stands in, and why
        to |= {"backup": True, "why": routing.why}
    change = _apply(
        session,
        ticket,
        "escalate",
        actor_id,
        now,
        detail={**to, **(packet or {})},
        escalated_at=now,
        escalated_by=actor_id,
        escalated_to=to,
    )
    return change, routing


def check_escalation(
    session: Session, ticket: Ticket, actor_id: str, is_admin: IsAdmin, day: date
) -> Routing:
    """Refuse an escalation early (not allowed, finished ticket, nobody to tell), before a
    modal opens."""
    require(session, ticket, "escalate", actor_id, is_admin)
    return tech_leads(session, ticket.team_id, day)


# Why nobody can take an escalation → what the escalating person is told.
NO_TECH_LEAD = {
    NO_HOLDER: "issue.escalate.no_tech_lead",
    AWAY: "issue.escalate.nobody_here",
    VACATED: "issue.escalate.vacated",
}


def tech_leads(session: Session, team_id: str, day: date) -> Routing:
    """Whom an escalation goes to; NotFound (saying why, and what an admin can do) when
    nobody can be told."""
    routing = route_role(session, team_id, TECH_LEAD_ROLE, day)
    backup, first = routing.backup_away, routing.first_back
    if backup is not None and first is not None:  # say who is back first, the backup too
        holders = [a for a in routing.absent if not a.backup]
        raise NotFound(
            "issue.escalate.all_away" if holders else "issue.escalate.backup_away",
            holders=tuple(a.user_id for a in holders),
            backup=backup.user_id,
            backup_back=backup.back_on.isoformat(),
            first=first.user_id,
            date=first.back_on.isoformat(),
        )
    if routing.nobody:
        back = routing.back_on.isoformat() if routing.back_on else "?"
        raise NotFound(NO_TECH_LEAD[routing.why or NO_HOLDER], date=back)
    return routing


def resolve(
    session: Session,
    team_id: str,
    number: int,
    actor_id: str,
    root_cause: str,
    solution: str,
    now: datetime,
    is_admin: IsAdmin,
) -> Change:
    """Resolve with root cause and solution (both required by the caller's parsing)."""
    ticket = get_ticket(session, team_id, number)
    require(session, ticket, "resolve", actor_id, is_admin)
    check_fields(root_cause=root_cause, solution=solution)
    detail = {"root_cause": root_cause, "solution": solution}
    return _apply(
        session,
        ticket,
        "resolve",
        actor_id,
        now,
        detail=detail,
        root_cause=root_cause,
        solution=solution,
        resolved_at=now,
        assignee_id=ticket.assignee_id or actor_id,
    )


def close(
    session: Session, team_id: str, number: int, actor_id: str, now: datetime, is_admin: IsAdmin
) -> Change:
    """Close a resolved ticket (agents, its assignee, its reporter)."""
    ticket = get_ticket(session, team_id, number)
    require(session, ticket, "close", actor_id, is_admin)
    return _apply(session, ticket, "close", actor_id, now, closed_at=now)


def reopen(
    session: Session, team_id: str, number: int, actor_id: str, now: datetime, is_admin: IsAdmin
) -> Change:
    """Reopen a resolved or closed ticket: back to analyzing (agents, assignee, reporter)."""
    ticket = get_ticket(session, team_id, number)
    require(session, ticket, "reopen", actor_id, is_admin)
    return _apply(session, ticket, "reopen", actor_id, now, closed_at=None, resolved_at=None)


def product_managers(session: Session, team_id: str, day: date) -> Routing:
    """Who receives feedback and feature requests (requirements management), by the rule
    every role follows: the holders here, else the backup."""
    return route_role(session, team_id, PRODUCT_ROLE, day)
