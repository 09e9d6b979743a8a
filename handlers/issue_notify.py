"""What Slack is told about a ticket change, enqueued in the change's own transaction: the
card (posted, then updated in place), a line in its thread, DMs to the people concerned and
the resolution in the source thread. The outbox sends them (handlers.issue_outbox renders
the card from the store at send time), so a change that commits is told exactly once, in
order, and one that rolls back is told nothing.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from domain.routing import Routing
from domain.tickets import FEEDBACK_CATEGORIES
from handlers.deps import Deps
from handlers.issue_blocks import event_what, headline, resolution_text, shown
from handlers.mrkdwn import user
from handlers.notify import dm
from i18n import t
from services import deliveries as outbox
from services import ticket_queries as queries
from services.config import channel_lang, person_lang, workspace_config
from services.roles import today
from services.tickets import Change, product_managers
from storage.models import Ticket

log = logging.getLogger(__name__)
# The escalation DM: rendered at send time with the link to the card's thread.
ESCALATION = "ticket_escalation"


def filed(session: Session, deps: Deps, ticket: Ticket) -> Routing | None:
    """A new ticket: its card, and product managers (else their backup) told of feedback;
    for feedback, whom it was routed to, so the reporter learns when nobody could be told."""
    session.flush()  # the ticket's ID
    now, team = deps.now(), ticket.team_id
    channel = workspace_config(session, deps.settings, team).support_channel
    if channel:
        outbox.card_post(session, team, ticket.id, channel, now)
    if ticket.category not in FEEDBACK_CATEGORIES:
        return None
    routing = product_managers(session, team, today(session, deps.settings, team, now))
    key = "issue.notify.feedback_backup" if routing.backup else "issue.notify.feedback"
    for manager in routing.without(ticket.reporter_id):  # they filed it: no news to them
        tell(session, deps, ticket, manager, key, "filed")
    return routing


def changed(session: Session, deps: Deps, team_id: str, change: Change) -> None:
    """A change: the card updated in place (a fresh one when it is gone), a line in its
    thread, the people concerned told."""
    ticket = queries.ticket_by_id(session, change.ticket_id)
    if ticket is None:
        return
    now, key = deps.now(), uuid.uuid4().hex[:16]  # the change's name in its deliveries' keys
    outbox.card_update(session, team_id, ticket.id, key, now)
    lang = channel_lang(session, deps.settings, team_id)  # the card's thread and the source's
    line = change_line(ticket, change, lang)
    outbox.card_line(session, team_id, ticket.id, key, line, now)
    if change.status_changed and ticket.reporter_id != change.actor_id:
        tell(session, deps, ticket, ticket.reporter_id, "issue.notify.status", key, change)
    assignee = change.detail.get("assignee")
    if change.action == "assign" and assignee and assignee != change.actor_id:
        tell(session, deps, ticket, str(assignee), "issue.notify.assigned", key, change)
    if change.action == "escalate":
        told = "escalated_backup" if change.detail.get("backup") else "escalated"
        for lead in change.detail.get("to", []):
            tell(session, deps, ticket, str(lead), f"issue.notify.{told}", key, change)
    if change.action == "resolve" and ticket.source_channel:
        outbox.post(
            session,
            team_id,
            f"resolved:{ticket.id}:{key}",
            ticket.source_channel,
            _resolved_text(ticket, lang),
            now=now,
            thread_ts=ticket.source_thread_ts or ticket.source_ts,
            kind="ticket_resolved",
        )


def tell(
    session: Session,
    deps: Deps,
    ticket: Ticket,
    user_id: str,
    key: str,
    change_key: str,
    change: Change | None = None,
) -> None:
    """A DM about a ticket in the recipient's language (an escalation carries the packet and,
    at send time, the link to the card's thread)."""
    lang = person_lang(session, deps.settings, ticket.team_id, user_id)
    text = t(
        lang,
        key,
        headline=headline(ticket),
        user=user(change.actor_id if change else ticket.reporter_id),
        status=t(lang, f"issue.status.{ticket.status}"),
    )
    escalation = change is not None and change.action == "escalate"
    if change is not None and escalation:
        text += packet_text(change.detail, lang, None)
    dm(
        session,
        deps,
        ticket.team_id,
        user_id,
        f"ticket:{ticket.id}:{change_key}:{key}:{user_id}",
        text,
        kind=ESCALATION if escalation else "ticket_dm",
        extra={"ticket_id": ticket.id, "lang": lang} if escalation else None,
    )


def permalink(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    """A message's permalink, or None when there is no message or Slack will not say."""
    if not channel or not ts:
        return None
    try:
        return str(client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
    except SlackApiError as error:
        log.warning("chat.getPermalink failed: %s", error.response.get("error"))
        return None


def slack_error(error: SlackApiError) -> str | None:
    """Slack's error code of a failed call (None when the answer was not Slack's JSON)."""
    data = error.response.data if error.response is not None else None
    return str(data["error"]) if isinstance(data, dict) and data.get("error") else None


def change_line(ticket: Ticket, change: Change, lang: str) -> str:
    """The line a change adds to the card's thread (its story)."""
    detail = change.detail
    line = f"{user(change.actor_id)} · {event_what(change.action, detail, change.actor_id, lang)}"
    if change.action == "resolve":
        line += "\n" + resolution_text(ticket, lang)
    elif change.action == "escalate":
        line += packet_text(detail, lang, None)
    return line[:3000]


def packet_text(detail: dict[str, Any], lang: str, link: str | None) -> str:
    """The escalation packet (impact, repro, what was tried, or a note), escaped."""
    lines = [
        f"\n*{t(lang, f'issue.packet.{key}')}*\n{shown(str(detail[key]), 800)}"
        for key in ("note", "impact", "steps", "tried")
        if detail.get(key)
    ]
    if link:
        lines.append("\n" + t(lang, "issue.packet.thread", link=link))
    return "".join(lines)


def _resolved_text(ticket: Ticket, lang: str) -> str:
    return (
        t(lang, "issue.notify.source_resolved", number=ticket.number)
        + "\n"
        + (resolution_text(ticket, lang))
    )
