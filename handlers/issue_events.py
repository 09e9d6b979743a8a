"""Filing from chat: the "Log as customer issue" message shortcut and the :ticket: reaction."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from domain.tickets import DEFAULT_CATEGORY, DEFAULT_SEVERITY, description_of, summary_of
from handlers import issue_notify
from handlers.context import Requester, requester
from handlers.deps import Deps
from handlers.errors import after_ack
from handlers.issue_blocks import file_modal
from handlers.issue_notify import permalink, slack_error
from handlers.mrkdwn import user
from handlers.notify import dm
from handlers.users import UserDirectory
from handlers.view_meta import sealed_view
from i18n import lang_of, t
from services import deliveries as outbox
from services import ticket_queries as queries
from services import tickets
from services.config import workspace_config
from storage.models import Ticket

log = logging.getLogger(__name__)
REACTION = "ticket"


def message_key(channel: str, ts: str) -> str:
    """The dedupe key of a ticket filed from a message: one ticket per message."""
    return f"msg:{channel}:{ts}"


def register(app: App, deps: Deps, directory: Any) -> None:
    """Wire the message shortcut and the reaction."""

    def log_customer_issue(
        ack: Ack,
        shortcut: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        """Open the filing modal prefilled with the message (or say it is filed already)."""
        ack()
        who = requester(context)
        channel, message = shortcut["channel"]["id"], shortcut["message"]
        with deps.db.begin() as session:
            earlier = queries.ticket_for_message(
                session, who.team_id, message_key(channel, message["ts"])
            )
            number = earlier.number if earlier else None
        if number is not None or from_bot(message, context.bot_user_id, context.bot_id):
            key = "issue.already_filed" if number is not None else "issue.shortcut.bot_message"
            text = t(who.lang, key, number=number)
            after_ack(deps, lambda: respond(text=text, response_type="ephemeral"))
            return
        trigger = shortcut["trigger_id"]
        after_ack(deps, open_prefilled, deps, directory, client, who, trigger, channel, message)

    def ticket_reaction(event: dict[str, Any], context: BoltContext) -> None:
        """A :ticket: on a message files it once, however many react or Slack retries."""
        item = event.get("item") or {}
        if event.get("reaction") != REACTION or item.get("type") != "message":
            return
        if event.get("user") == context.bot_user_id:
            return
        who = requester(context)
        bot = (context.bot_user_id, context.bot_id)
        where = (str(item["channel"]), str(item["ts"]))
        after_ack(deps, file_reacted, deps, app.client, directory, who, *where, bot)

    # Spelled out (== issue_blocks.SHORTCUT) so the manifest test can find the callback ID.
    app.shortcut("log_customer_issue")(log_customer_issue)
    app.event("reaction_added")(ticket_reaction)


def from_bot(message: dict[str, Any], bot_user_id: str | None, bot_id: str | None) -> bool:
    """Whether Rolecall itself posted the message (a card, a thread reply, a DM)."""
    by_bot_id = bool(bot_id) and message.get("bot_id") == bot_id
    return by_bot_id or (bool(bot_user_id) and message.get("user") == bot_user_id)


def open_prefilled(
    deps: Deps,
    directory: UserDirectory,
    client: WebClient,
    who: Requester,
    trigger: str,
    channel: str,
    message: dict[str, Any],
) -> None:
    """views.open with the message's readable text and permalink (the source in metadata)."""
    link = permalink(client, channel, message["ts"])
    source = {
        "channel": channel,
        "ts": message["ts"],
        "thread_ts": message.get("thread_ts"),
        "permalink": link,
    }
    meta = json.dumps({"source": source})
    text = directory.readable(who.team_id, str(message.get("text") or ""))
    view = file_modal(who.lang, meta, text=text, permalink=link)
    view = sealed_view(deps.settings.slack_signing_secret, who.team_id, who.user_id, view)
    client.views_open(trigger_id=trigger, view=view)


def fetch_message(client: WebClient, channel: str, ts: str) -> dict[str, Any] | None:
    """A message by channel and ts, whether top-level or in a thread; None when it is gone
    or Slack will not show it (deleted, a channel the bot cannot read)."""
    try:
        found = client.conversations_history(
            channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1
        )
    except SlackApiError as error:
        log.warning("conversations.history of %s failed: %s", channel, slack_error(error))
        return None
    for message in found.get("messages") or []:
        if message.get("ts") == ts:
            return dict(message)
    try:
        thread = client.conversations_replies(channel=channel, ts=ts)
    except SlackApiError as error:
        log.warning("conversations.replies of %s/%s failed: %s", channel, ts, slack_error(error))
        return None
    return next((dict(m) for m in thread.get("messages") or [] if m.get("ts") == ts), None)


def file_reacted(
    deps: Deps,
    client: WebClient,
    directory: UserDirectory,
    who: Requester,
    channel: str,
    ts: str,
    bot: tuple[str | None, str | None] = (None, None),
) -> None:
    """File the reacted message, then answer in its thread with the number and post the card.

    Rolecall's own messages (`bot`: its user and bot IDs) are not filed; the reactor is told.
    The answer, the hint and the card are enqueued with the ticket (each delivery stands
    alone, so a thread reply that fails never costs the ticket its card).
    """
    key = message_key(channel, ts)
    with deps.db.begin() as session:
        known = queries.ticket_for_message(session, who.team_id, key)
        earlier = (known.id, known.number, known.reporter_id) if known is not None else None
    if earlier is not None:  # another reaction (or a retry) filed it already
        ticket_id, number, reporter = earlier
        if reporter != who.user_id:  # its filer was told "filed as #N"
            text = t(_reactor_lang(directory, who), "issue.already_filed", number=number)
            with deps.db.begin() as session:
                once = f"already:{ticket_id}:{who.user_id}"
                outbox.ephemeral(
                    session, who.team_id, once, channel, who.user_id, text, now=deps.now()
                )
        return
    message = fetch_message(client, channel, ts)
    if message is None:
        log.warning("reacted message %s/%s not found", channel, ts)
        _tell_reactor(deps, directory, who, "issue.reaction.unreadable")
        return
    if from_bot(message, *bot):
        _tell_reactor(deps, directory, who, "issue.reaction.bot_message")
        return
    text = description_of(directory.readable(who.team_id, str(message.get("text") or "")))
    source = tickets.Source(
        channel, ts, thread_ts=message.get("thread_ts"), permalink=permalink(client, channel, ts)
    )
    filed = tickets.NewTicket(
        summary=summary_of(text) or t(who.lang, "issue.reaction.untitled"),
        severity=DEFAULT_SEVERITY,
        category=DEFAULT_CATEGORY,
        description=text,
    )
    with deps.db.begin() as session:
        ticket, created = tickets.file_ticket(
            session, who.team_id, who.user_id, filed, deps.now(), dedupe_key=key, source=source
        )
        if created:
            _announce(session, deps, who, ticket, channel, source.thread_ts or ts)


def _announce(
    session: Session, deps: Deps, who: Requester, ticket: Ticket, channel: str, thread_ts: str
) -> None:
    """A reaction's new ticket: its number in the message's thread, a hint when there is no
    support channel, and the card — all enqueued with the ticket."""
    if not filed_as(session, deps, who, ticket, channel, thread_ts):
        text = t(who.lang, "issue.no_support_channel")
        key = f"no-support:{ticket.id}"
        outbox.ephemeral(session, who.team_id, key, channel, who.user_id, text, now=deps.now())
    issue_notify.filed(session, deps, ticket)


def filed_as(
    session: Session, deps: Deps, who: Requester, ticket: Ticket, channel: str, thread_ts: str
) -> bool:
    """ "Filed as ticket #N by @who" in the thread of the message a ticket was filed from
    (by reaction or shortcut), enqueued once per ticket in the channel's language; whether
    a support channel is set (the answer says where updates follow)."""
    config = workspace_config(session, deps.settings, who.team_id)
    support = config.support_channel
    answer = "issue.reaction.filed" if support else "issue.reaction.filed_no_channel"
    lang = config.language  # posted in the message's (channel) thread
    session.flush()
    outbox.post(
        session,
        who.team_id,
        f"filed-as:{ticket.id}",
        channel,
        t(lang, answer, number=ticket.number, user=user(who.user_id)),
        now=deps.now(),
        thread_ts=thread_ts,
        kind="ticket_filed_as",
    )
    return bool(support)


def _tell_reactor(deps: Deps, directory: UserDirectory, who: Requester, key: str) -> None:
    """A DM to the person who reacted, in their language (sent by the outbox)."""
    lang = _reactor_lang(directory, who)
    with deps.db.begin() as session:
        dedupe = f"reaction:{who.user_id}:{key}:{deps.now().isoformat()}"
        dm(session, deps, who.team_id, who.user_id, dedupe, t(lang, key))


def _reactor_lang(directory: UserDirectory, who: Requester) -> str:
    """The reactor's language: an event carries no locale, so after the ack their profile
    is asked for (Slack is asked when it is not cached yet)."""
    profile = directory.profile(who.team_id, who.user_id)
    return lang_of(profile.locale) if profile and profile.locale else who.lang
