"""Which tickets are due a first-response flag: still `new` past their own workspace's
target, each claimed as it is flagged (so ticks, restarts and replicas flag it once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from domain.config import Defaults, WorkspaceConfig
from domain.tickets import is_overdue
from services import ticket_queries as queries
from services.config import workspace_config
from storage.models import Ticket


@dataclass
class Scan:
    """Where a scan for due tickets is: the page cursor and the workspaces' configs seen."""

    targets: dict[str, int]
    after: tuple[datetime, int] | None = None
    done: bool = False
    configs: dict[str, WorkspaceConfig] = field(default_factory=dict)

    def config(self, session: Session, settings: Defaults, team_id: str) -> WorkspaceConfig:
        """A workspace's config, read once per scan."""
        if team_id not in self.configs:
            self.configs[team_id] = workspace_config(session, settings, team_id)
        return self.configs[team_id]


def start_scan(session: Session, settings: Defaults) -> Scan:
    """A scan from the oldest candidate, by the shortest target any workspace may have."""
    return Scan(queries.shortest_targets(session, settings))


def due_page(
    session: Session, settings: Defaults, scan: Scan, now: datetime
) -> list[tuple[int, str]]:
    """The next page's tickets overdue under their own workspace's target, each with the
    support channel to flag it in; sets `scan.done` after the last page. A workspace with no
    support channel has nowhere to flag: its tickets stay unflagged until it sets one."""
    page = queries.past_shortest_target(session, scan.targets, now, scan.after, queries.DUE_PAGE)
    due = []
    for ticket in page:
        config = scan.config(session, settings, ticket.team_id)
        targets = config.first_response_minutes
        if config.support_channel and is_overdue(ticket.created_at, ticket.severity, targets, now):
            due.append((ticket.id, config.support_channel))
    if page:
        scan.after = (page[-1].created_at, page[-1].id)
    scan.done = len(page) < queries.DUE_PAGE
    return due


def claim_flag(session: Session, ticket_id: int, now: datetime) -> Ticket | None:
    """Claim the ticket's one flag; None when it is flagged already or was answered."""
    ticket = queries.ticket_by_id(session, ticket_id)
    if ticket is None or not queries.mark_flagged(session, ticket, now):
        return None
    return ticket
