"""Reading the support queue: lists, search, history, root causes, overdue first responses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from domain.config import Defaults, parse_first_response
from domain.errors import UsageError
from domain.tickets import (
    DEFAULT_SEVERITY,
    FEEDBACK_CATEGORIES,
    LIST_FILTERS,
    OPEN_STATUSES,
    SEVERITY_RANK,
    STATUSES,
    USAGE,
    rank_categories,
    rank_causes,
)
from storage.models import Ticket, TicketEvent
from storage.tickets import (
    COUNT_CAP,
    TicketFilter,
    by_dedupe_key,
    by_id,
    compare_and_set,
    count_capped,
    events_of,
    matching_words,
    newest,
    newest_by_severity,
    overdue_new,
    resolved_since,
    setting_values,
)

PAGE = 20
MAX_DAYS = 3650
SEARCH_WORDS = 10
SEARCH_SCAN = 20_000  # a search reads at most this many of the workspace's newest tickets
DUE_PAGE = 500  # first-response candidates read per query (the job pages through them all)
MOST_SEVERE_FIRST = tuple(sorted(SEVERITY_RANK, key=SEVERITY_RANK.__getitem__))


@dataclass(frozen=True)
class TicketPage:
    """Some tickets, and how many matched in all (up to COUNT_CAP)."""

    tickets: list[Ticket]
    total: int
    partial: bool = False  # a search that read only the newest SEARCH_SCAN tickets

    @property
    def shown_total(self) -> str:
        """The count as a person reads it: '1000+' once the count was capped."""
        return f"{self.total}+" if self.capped else str(self.total)

    @property
    def capped(self) -> bool:
        """Whether counting stopped at the cap (there may be more)."""
        return self.total >= COUNT_CAP

    @property
    def more(self) -> str:
        """How many matched beyond this page, as a person reads it."""
        extra = self.total - len(self.tickets)
        return f"{extra}+" if self.capped else str(extra)


@dataclass(frozen=True)
class Causes:
    """What resolved tickets were about, over the last `days`."""

    days: int
    resolved: int
    causes: list[tuple[str, int]]
    categories: list[tuple[str, int]]


def list_tickets(session: Session, team_id: str, which: str, user_id: str) -> TicketPage:
    """`/issue list [open|mine|all|urgent|feedback]`: most severe, then newest, first
    (`all`: newest first)."""
    if which not in LIST_FILTERS:
        raise UsageError("issue.list.bad_filter", usage=USAGE, text=which)
    shown = _list_filter(which, user_id)
    total = count_capped(session, team_id, shown)
    if which == "all":
        return TicketPage(newest(session, team_id, shown, PAGE), total)
    return TicketPage(newest_by_severity(session, team_id, shown, PAGE), total)


def _list_filter(which: str, user_id: str) -> TicketFilter:
    """What each list shows. Statuses and severities are spelled out (every status, every
    severity when the list does not narrow them) so the storage reads them rank by rank."""
    if which == "open":
        return TicketFilter(statuses=OPEN_STATUSES, severities=MOST_SEVERE_FIRST)
    if which == "urgent":
        return TicketFilter(statuses=OPEN_STATUSES, severities=("urgent",))
    if which == "mine":
        not_closed = tuple(s for s in STATUSES if s != "closed")
        return TicketFilter(statuses=not_closed, severities=MOST_SEVERE_FIRST, involving=user_id)
    if which == "feedback":
        return TicketFilter(
            statuses=STATUSES, severities=MOST_SEVERE_FIRST, categories=FEEDBACK_CATEGORIES
        )
    return TicketFilter()  # all


def search_words(text: str) -> list[str]:
    """The words a search looks for (the first SEARCH_WORDS); UsageError when there are none."""
    words = [w for w in text.split() if w]
    if not words:
        raise UsageError("issue.search.empty", usage=USAGE)
    return words[:SEARCH_WORDS]


def search(session: Session, team_id: str, text: str) -> TicketPage:
    """Tickets whose summary, description, customer, root cause or solution has every word,
    newest first, among the newest SEARCH_SCAN tickets of the workspace."""
    found, total, partial = matching_words(session, team_id, search_words(text), PAGE, SEARCH_SCAN)
    return TicketPage(found, total, partial)


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


def shortest_targets(session: Session, settings: Defaults) -> dict[str, int]:
    """Per severity, the smallest first-response target (minutes) any workspace may have:
    the environment default and every workspace's own override."""
    texts = [settings.first_response, *setting_values(session, "first_response")]
    shortest: dict[str, int] = {}
    for text in texts:
        try:
            targets = parse_first_response(text)
        except ValueError:
            continue  # a value that does not parse is not in force anywhere
        for severity, minutes in targets.items():
            shortest[severity] = min(minutes, shortest.get(severity, minutes))
    return shortest


def past_shortest_target(
    session: Session,
    targets: Mapping[str, int],
    now: datetime,
    after: tuple[datetime, int] | None = None,
    limit: int = DUE_PAGE,
) -> list[Ticket]:
    """Candidates for the first-response flag, one page of them, oldest first: tickets of
    every workspace still `new`, never flagged, and past the shortest target of their
    severity (`targets`, from `shortest_targets`). Whether a ticket is due under its own
    workspace's target is the caller's check. `after`: the (created_at, id) of the last
    ticket of the page before."""
    cutoffs = {severity: now - timedelta(minutes=m) for severity, m in targets.items()}
    other = min(targets.values(), default=0)
    fallback = now - timedelta(minutes=targets.get(DEFAULT_SEVERITY, other))
    return overdue_new(session, cutoffs, fallback, after, limit)


def mark_flagged(session: Session, ticket: Ticket, now: datetime) -> bool:
    """Claim the one first-response flag of a ticket; False when already flagged or answered."""
    return compare_and_set(session, ticket, {"flagged_at": None, "status": "new"}, flagged_at=now)


def unmark_flagged(session: Session, ticket_id: int) -> None:
    """Give the flag back when posting it failed, so the next tick tries again."""
    ticket = by_id(session, ticket_id)
    if ticket is not None:
        ticket.flagged_at = None


def ticket_by_id(session: Session, ticket_id: int) -> Ticket | None:
    """A ticket by its row id (after-ack work carries ids, not numbers)."""
    return by_id(session, ticket_id)


def ticket_for_message(session: Session, team_id: str, dedupe_key: str) -> Ticket | None:
    """The ticket already filed from a message (or modal), if any."""
    return by_dedupe_key(session, team_id, dedupe_key)
