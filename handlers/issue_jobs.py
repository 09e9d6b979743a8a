"""Scheduled support-queue work: flag tickets still `new` past their first-response target."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient

from bot.deps import Deps
from domain.config import WorkspaceConfig
from domain.tickets import first_response_due
from handlers.issue_blocks import age, card_lang, headline
from handlers.mrkdwn import user
from i18n import t
from services.config import workspace_config
from services.ticket_queries import mark_flagged, unmark_flagged, waiting_new
from storage.models import Ticket
from storage.tickets import by_id

log = logging.getLogger(__name__)


def flag_first_responses(deps: Deps, client: WebClient, now: datetime) -> int:
    """Post one flag per overdue `new` ticket in its support channel; returns how many."""
    with deps.db.begin() as session:
        configs: dict[str, WorkspaceConfig] = {}
        due: list[int] = []
        for ticket in waiting_new(session, now):
            if ticket.team_id not in configs:
                configs[ticket.team_id] = workspace_config(session, deps.settings, ticket.team_id)
            targets = configs[ticket.team_id].first_response_minutes
            if now >= first_response_due(ticket.created_at, ticket.severity, targets):
                due.append(ticket.id)
    flagged = 0
    for ticket_id in due:
        try:
            flagged += _flag(deps, client, ticket_id, configs, now)
        except Exception:
            log.exception("flagging ticket %s failed", ticket_id)
    return flagged


def _flag(
    deps: Deps,
    client: WebClient,
    ticket_id: int,
    configs: dict[str, WorkspaceConfig],
    now: datetime,
) -> int:
    """Claim the flag in the store first, so ticks, restarts and replicas flag only once."""
    with deps.db.begin() as session:
        ticket = by_id(session, ticket_id)
        if ticket is None or not mark_flagged(session, ticket, now):
            return 0
    channel = configs[ticket.team_id].support_channel
    if not channel:
        return 0  # nowhere to flag; claimed anyway, or every tick would look again
    try:
        client.chat_postMessage(channel=channel, text=flag_text(ticket, configs, now))
    except Exception:
        with deps.db.begin() as session:
            unmark_flagged(session, ticket_id)  # the next tick tries again
        raise
    return 1


def flag_text(ticket: Ticket, configs: dict[str, WorkspaceConfig], now: datetime) -> str:
    """'#3 … is still new after 2h (urgent: first response within 1h).'"""
    lang = card_lang(ticket)
    target = configs[ticket.team_id].first_response_minutes[ticket.severity]
    return t(
        lang,
        "issue.flag",
        headline=headline(ticket, 200),
        age=age(ticket.created_at, now),
        severity=t(lang, f"issue.severity.{ticket.severity}"),
        target=f"{target // 60}h" if target % 60 == 0 else f"{target}m",
        reporter=user(ticket.reporter_id),
    )
