"""Scheduled support-queue work: flag tickets still `new` past their first-response target."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient

from domain.config import WorkspaceConfig
from handlers.deps import Deps
from handlers.durations import age, amount
from handlers.issue_blocks import headline
from handlers.mrkdwn import user
from i18n import t
from services import deliveries as outbox
from services import ticket_flags
from storage.models import Ticket


def flag_first_responses(deps: Deps, client: WebClient, now: datetime) -> int:
    """Enqueue one flag per overdue `new` ticket in its support channel; returns how many.

    The flag's claim and its delivery commit together: the outbox sends it (retrying what
    Slack refuses for a while; what it refuses for good is listed by `/rolecall deliveries`).
    """
    flagged = 0
    with deps.db.begin() as session:
        scan = ticket_flags.start_scan(session, deps.settings)
    while not scan.done:
        with deps.db.begin() as session:
            due = ticket_flags.due_page(session, deps.settings, scan, now)
        for ticket_id, channel in due:
            with deps.db.begin() as session:
                ticket = ticket_flags.claim_flag(session, ticket_id, now)
                if ticket is None:
                    continue
                text = flag_text(ticket, scan.configs, now)
                key = f"flag:{ticket.id}"
                team, at = ticket.team_id, deps.now()  # enqueued now, whatever `now` we flag for
                outbox.post(session, team, key, channel, text, now=at, kind="ticket_flag")
                flagged += 1
    return flagged


def flag_text(ticket: Ticket, configs: dict[str, WorkspaceConfig], now: datetime) -> str:
    """'#3 … is still new after 2h (urgent: first response within 1h).'"""
    config = configs[ticket.team_id]
    lang = config.language
    target = config.first_response_minutes[ticket.severity]
    return t(
        lang,
        "issue.flag",
        headline=headline(ticket, 200),
        age=age(lang, ticket.created_at, now),
        severity=t(lang, f"issue.severity.{ticket.severity}"),
        target=amount(lang, target),
        reporter=user(ticket.reporter_id),
    )
