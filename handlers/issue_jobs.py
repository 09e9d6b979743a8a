"""Scheduled support-queue work: flag tickets still `new` past their first-response target."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from domain.config import WorkspaceConfig
from domain.tickets import is_overdue
from handlers.deps import Deps
from handlers.issue_blocks import age, card_lang, headline
from handlers.issue_notify import slack_error
from handlers.mrkdwn import user
from i18n import t
from services import ticket_queries as queries
from services.config import workspace_config
from services.ticket_queries import (
    DUE_PAGE,
    mark_flagged,
    past_shortest_target,
    shortest_targets,
    unmark_flagged,
)
from storage.models import Ticket

log = logging.getLogger(__name__)
# Slack errors that will not go away by trying again: the flag's claim is kept.
PERMANENT = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "team_access_not_granted",
        "restricted_action",
        "ekm_access_denied",
    }
)


def flag_first_responses(deps: Deps, client: WebClient, now: datetime) -> int:
    """Post one flag per overdue `new` ticket in its support channel; returns how many.

    The store hands over only tickets past the shortest target of their severity, a page at
    a time (oldest first), until none are left; each is then checked against its own
    workspace's target.
    """
    configs: dict[str, WorkspaceConfig] = {}
    flagged = 0
    after: tuple[datetime, int] | None = None
    with deps.db.begin() as session:
        targets = shortest_targets(session, deps.settings)
    while True:
        with deps.db.begin() as session:
            page = past_shortest_target(session, targets, now, after, DUE_PAGE)
            due: list[int] = []
            for ticket in page:
                if ticket.team_id not in configs:
                    configs[ticket.team_id] = workspace_config(
                        session, deps.settings, ticket.team_id
                    )
                own = configs[ticket.team_id].first_response_minutes
                if is_overdue(ticket.created_at, ticket.severity, own, now):
                    due.append(ticket.id)
            if page:
                after = (page[-1].created_at, page[-1].id)
        for ticket_id in due:
            try:
                flagged += _flag(deps, client, ticket_id, configs, now)
            except Exception:
                log.exception("flagging ticket %s failed", ticket_id)
        if len(page) < DUE_PAGE:
            return flagged


def _flag(
    deps: Deps,
    client: WebClient,
    ticket_id: int,
    configs: dict[str, WorkspaceConfig],
    now: datetime,
) -> int:
    """Claim the flag in the store first, so ticks, restarts and replicas flag only once.

    A post that fails for a passing reason gives the claim back (the next tick tries again);
    one Slack will refuse every time (channel gone, bot removed, token revoked) keeps it.
    """
    with deps.db.begin() as session:
        ticket = queries.ticket_by_id(session, ticket_id)
        if ticket is None or not mark_flagged(session, ticket, now):
            return 0
    channel = configs[ticket.team_id].support_channel
    if not channel:
        return 0  # nowhere to flag; claimed anyway, or every tick would look again
    try:
        client.chat_postMessage(channel=channel, text=flag_text(ticket, configs, now))
    except SlackApiError as error:
        code = slack_error(error)
        if code in PERMANENT:
            log.warning(
                "ticket %s not flagged: Slack answers %s for %s (not retried)",
                ticket_id,
                code,
                channel,
            )
            return 0
        with deps.db.begin() as session:
            unmark_flagged(session, ticket_id)  # the next tick tries again
        raise
    except Exception:
        with deps.db.begin() as session:
            unmark_flagged(session, ticket_id)
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
