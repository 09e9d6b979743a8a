"""Who may change things: admins, presence, and who may work a ticket.

Tickets (`may`): anyone files, lists, shows and searches. *Agents* work tickets: admins,
Customer Support holders, and Tech Lead holders once a ticket is escalated. A ticket's
assignee works that ticket but cannot hand it on; its reporter may close or reopen it.

Why no sequence of allowed steps gives anyone more: only agents take or assign, so an
assignee is always someone an agent chose (themself included); the steps that fill an empty
assignee (analyze, resolve) are agent-only while the ticket has none; the reporter is fixed
when the ticket is filed. Everyone else can change nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

ADMIN_ROLE = "product-owner"
SUPPORT_ROLE = "customer-support"
TECH_LEAD_ROLE = "tech-lead"

# How someone stands towards one ticket.
ADMIN = "admin"
SUPPORT = "support"
TECH_LEAD = "tech_lead"  # only on an escalated ticket
ASSIGNEE = "assignee"
REPORTER = "reporter"
AGENTS = frozenset({ADMIN, SUPPORT, TECH_LEAD})
WORKERS = AGENTS | {ASSIGNEE}
STEWARDS = WORKERS | {REPORTER}

# Ticket action → the standings that may do it. Filing, viewing, listing and searching are
# open to everyone and are not listed.
TICKET_RULES: dict[str, frozenset[str]] = {
    "take": AGENTS,
    "assign": AGENTS,
    "analyze": WORKERS,
    "escalate": WORKERS,
    "resolve": WORKERS,
    "close": STEWARDS,
    "reopen": STEWARDS,
}


def is_admin(
    user_id: str,
    *,
    configured_admins: Collection[str],
    workspace_admin: bool,
    admin_role_holders: Collection[str],
) -> bool:
    """Admins: configured users, Slack workspace admins/owners, product-owner holders."""
    return user_id in configured_admins or workspace_admin or user_id in admin_role_holders


def may_change_presence(actor_id: str, subject_id: str, *, actor_is_admin: bool) -> bool:
    """A person marks themself away or back; admins may do it for anyone."""
    return actor_id == subject_id or actor_is_admin


@dataclass(frozen=True)
class Actor:
    """Someone acting on a ticket: who they are, the roles they hold, whether an admin."""

    user_id: str
    roles: frozenset[str] = frozenset()
    is_admin: bool = False

    def as_admin(self) -> Actor:
        """The same person, counted as an admin (to ask whether being one would matter)."""
        return replace(self, is_admin=True)


class TicketParties(Protocol):
    """What the rules read of a ticket."""

    @property
    def reporter_id(self) -> str: ...
    @property
    def assignee_id(self) -> str | None: ...
    @property
    def escalated_at(self) -> datetime | None: ...


def standings(actor: Actor, ticket: TicketParties) -> frozenset[str]:
    """Every way `actor` stands towards `ticket` (none: a bystander)."""
    found = set()
    if actor.is_admin or ADMIN_ROLE in actor.roles:
        found.add(ADMIN)
    if SUPPORT_ROLE in actor.roles:
        found.add(SUPPORT)
    if TECH_LEAD_ROLE in actor.roles and ticket.escalated_at is not None:
        found.add(TECH_LEAD)
    if ticket.assignee_id == actor.user_id:
        found.add(ASSIGNEE)
    if ticket.reporter_id == actor.user_id:
        found.add(REPORTER)
    return frozenset(found)


def may(actor: Actor, action: str, ticket: TicketParties) -> bool:
    """Whether `actor` may do the ticket `action` (a key of TICKET_RULES) to `ticket`."""
    return bool(standings(actor, ticket) & TICKET_RULES[action])
