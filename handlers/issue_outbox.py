"""The ticket card on the outbox: how its deliveries are rendered when they are sent (the
store's latest state, so coalesced updates show the newest one) and what their outcome
writes (the card's channel and ts on the ticket, in the transaction that marks it sent).

Call sites enqueue with `services.deliveries.card_post/card_update/card_line` in the
transaction of the change; the dispatcher is taught these kinds with `card_kinds(settings)`.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from domain.config import Defaults
from domain.delivery import POST, UPDATE
from handlers.delivery import Kind, Outgoing
from handlers.issue_blocks import card
from handlers.issue_notify import ESCALATION, permalink
from handlers.mrkdwn import channel as channel_ref
from handlers.mrkdwn import escape
from i18n import t
from services import deliveries as outbox
from services import ticket_queries as queries
from services.config import channel_lang, person_lang, workspace_config
from services.deliveries import CARD, CARD_LINE
from storage.models import OutboxDelivery, Ticket

# chat.update answers these when the card (or its channel) is gone: post a fresh card.
CARD_GONE = frozenset({"message_not_found", "channel_not_found"})
# Why Slack refuses a card, as the reporter is told (anything else: "other").
CARD_REFUSALS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


def card_kinds(settings: Defaults, client: WebClient | None = None) -> dict[str, Kind]:
    """The dispatcher's kinds for the ticket card and its thread lines (and, with the
    dispatcher's `client`, the escalation DM, which links the card's thread)."""

    def render_card(
        session: Session, row: OutboxDelivery, planned: Outgoing, now: datetime
    ) -> Outgoing | None:
        ticket = _ticket(session, row)
        if ticket is None:
            return None
        # Rendered at send time: the latest state, its age as of now, the channel's language.
        text, blocks = card(ticket, now, channel_lang(session, settings, ticket.team_id))
        content = {"text": text, "blocks": blocks}
        if ticket.card_channel and ticket.card_ts:
            if row.method == POST:
                return None  # it has a card already
            return Outgoing(UPDATE, ticket.card_channel, {**content, "ts": ticket.card_ts})
        # No card yet (its post failed, or the card is gone): post one where cards go now.
        channel = row.channel or workspace_config(session, settings, ticket.team_id).support_channel
        return Outgoing(POST, channel, content) if channel else None

    def on_card_failed(session: Session, row: OutboxDelivery, reason: str) -> bool:
        ticket = _ticket(session, row)
        if ticket is None:
            return False
        if reason in CARD_GONE and ticket.card_ts:
            ticket.card_channel = ticket.card_ts = None  # the next try posts a fresh card
            return True
        if not ticket.card_ts:  # no card at all: the reporter is told why, not left guessing
            _tell_refused(session, settings, ticket, row, reason)
        return False

    def render_line(
        session: Session, row: OutboxDelivery, planned: Outgoing, now: datetime
    ) -> Outgoing | None:
        ticket = _ticket(session, row)
        if ticket is None or not (ticket.card_channel and ticket.card_ts):
            return None  # no card to tell (its channel is not set, or the post failed)
        text = str(row.payload.get("text") or "")
        return Outgoing(POST, ticket.card_channel, {"text": text, "thread_ts": ticket.card_ts})

    def render_escalation(
        session: Session, row: OutboxDelivery, planned: Outgoing, now: datetime
    ) -> Outgoing | None:
        args = dict(planned.args)
        ticket_id, lang = args.pop("ticket_id", None), str(args.pop("lang", "en"))
        ticket = queries.ticket_by_id(session, int(ticket_id)) if ticket_id else None
        link = permalink(client, ticket.card_channel, ticket.card_ts) if client and ticket else None
        if link:
            args["text"] = (
                str(args.get("text", "")) + "\n" + t(lang, "issue.packet.thread", link=link)
            )
        return Outgoing(planned.method, planned.channel, args)

    return {
        CARD: Kind(render=render_card, on_sent=_record_card, on_failed=on_card_failed),
        CARD_LINE: Kind(render=render_line),
        ESCALATION: Kind(render=render_escalation),
    }


def _ticket(session: Session, row: OutboxDelivery) -> Ticket | None:
    return queries.ticket_by_id(session, int(row.payload["ticket_id"]))


def _record_card(session: Session, row: OutboxDelivery) -> None:
    """Where the card is, written with the delivery's 'sent' (never a second card)."""
    ticket = _ticket(session, row)
    if ticket is not None and row.result_ts:
        ticket.card_channel, ticket.card_ts = row.result_channel, row.result_ts


def _tell_refused(
    session: Session, settings: Defaults, ticket: Ticket, row: OutboxDelivery, reason: str
) -> None:
    """A DM to the reporter in their language: the card is not in the channel, why, and
    what fixes it."""
    code = reason.rsplit(": ", 1)[-1].strip()
    lang = person_lang(session, settings, ticket.team_id, ticket.reporter_id)
    text = t(
        lang,
        f"issue.card_failed.{code if code in CARD_REFUSALS else 'other'}",
        number=ticket.number,
        channel=channel_ref(row.channel) if row.channel else "?",
        error=escape(code or "?"),
    )
    outbox.dm(
        session,
        ticket.team_id,
        f"card-refused:{ticket.id}",
        ticket.reporter_id,
        text,
        now=row.created_at,
    )
