"""After-ack Web API work of the support queue: the card, its thread, DMs, the source thread.

Runs on `deps.background`; each function reloads the ticket so what Slack shows is the
store's latest state, and a per-ticket lock keeps a card from being posted twice or updated
out of order when changes arrive close together.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from domain.tickets import FEEDBACK_CATEGORIES
from handlers.deps import Deps
from handlers.issue_blocks import card, card_lang, headline, resolution_text, shown
from handlers.mrkdwn import channel as channel_ref
from handlers.mrkdwn import escape, user
from handlers.users import UserDirectory
from i18n import lang_of, t
from services import ticket_queries as queries
from services.config import workspace_config
from services.tickets import Change, product_managers
from storage.models import Ticket

log = logging.getLogger(__name__)
# chat.update answers these when the card (or its channel) is gone: post a fresh card.
CARD_GONE = frozenset({"message_not_found", "channel_not_found"})
# Why Slack refuses a card, as the reporter is told (anything else: "other").
CARD_REFUSALS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
# Striped, so memory stays bounded however many tickets there are.
_LOCKS = tuple(threading.Lock() for _ in range(64))


def _lock(ticket_id: int) -> threading.Lock:
    return _LOCKS[ticket_id % len(_LOCKS)]


class Notifier:
    """Posts and updates what Slack shows about tickets."""

    def __init__(self, deps: Deps, client: WebClient, directory: UserDirectory) -> None:
        self.deps, self.client, self.directory = deps, client, directory

    def _load(self, ticket_id: int) -> tuple[Ticket, str | None]:
        with self.deps.db.begin() as session:
            ticket = queries.ticket_by_id(session, ticket_id)
            if ticket is None:
                raise LookupError(ticket_id)
            config = workspace_config(session, self.deps.settings, ticket.team_id)
            return ticket, config.support_channel

    def filed(self, ticket_id: int, tell: Callable[[str], object] | None = None) -> None:
        """A new ticket: its card, and product managers told of feedback.

        A card Slack refuses is not silently missing: the reporter is told why, through
        `tell` (the command's response_url) or else a DM.
        """
        with _lock(ticket_id):
            ticket, channel = self._load(ticket_id)
            if channel and not ticket.card_ts:
                try:
                    self._post_card(ticket, channel)
                except SlackApiError as error:
                    log.warning("card of ticket %s not posted: %s", ticket_id, slack_error(error))
                    _attempt(
                        "telling the reporter",
                        ticket_id,
                        self._card_refused,
                        ticket,
                        channel,
                        slack_error(error),
                        tell,
                    )
                except Exception:
                    log.exception("posting the card failed for ticket %s", ticket_id)
        if ticket.category in FEEDBACK_CATEGORIES:
            with self.deps.db.begin() as session:
                managers = product_managers(session, ticket.team_id)
            for manager in managers:
                if manager == ticket.reporter_id:
                    continue  # they filed it: no news to them
                _attempt(
                    "the feedback DM",
                    ticket_id,
                    self.dm,
                    ticket.team_id,
                    manager,
                    "issue.notify.feedback",
                    ticket,
                )

    def _post_card(self, ticket: Ticket, channel: str) -> None:
        """Post a (fresh) card and remember where it is; the ticket gets its channel and ts."""
        text, blocks = card(ticket, self.deps.now())
        posted = self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        ticket.card_channel, ticket.card_ts = str(posted["channel"]), str(posted["ts"])
        self._save_card(ticket.id, ticket.card_channel, ticket.card_ts)

    def _card_refused(
        self,
        ticket: Ticket,
        channel: str,
        error: str | None,
        tell: Callable[[str], object] | None,
    ) -> None:
        """Tell the reporter the card is not in the channel, why, and what fixes it."""
        cached = self.directory.cached(ticket.team_id, ticket.reporter_id)
        lang = lang_of(cached.locale) if cached and cached.locale else card_lang(ticket)
        reason = error if error in CARD_REFUSALS else "other"
        text = t(
            lang,
            f"issue.card_failed.{reason}",
            number=ticket.number,
            channel=channel_ref(channel),
            error=escape(error or "?"),
        )
        if tell is not None:
            tell(text)
            return
        opened = self.client.conversations_open(users=ticket.reporter_id)
        self.client.chat_postMessage(channel=str(opened["channel"]["id"]), text=text)

    def _save_card(self, ticket_id: int, channel: str, ts: str) -> None:
        with self.deps.db.begin() as session:
            ticket = queries.ticket_by_id(session, ticket_id)
            if ticket is not None:
                ticket.card_channel, ticket.card_ts = channel, ts

    def changed(self, team_id: str, change: Change) -> None:
        """A change: card updated in place, a line in its thread, the people concerned told.

        Each delivery stands alone: one that fails is logged and the others still go out.
        A card that is gone (deleted, or its channel is) is posted afresh.
        """
        with _lock(change.ticket_id):
            ticket, channel = self._load(change.ticket_id)
            lang = card_lang(ticket)
            _attempt("updating the card", ticket.id, self._refresh_card, ticket, channel)
            if ticket.card_channel and ticket.card_ts:
                _attempt(
                    "the card's thread line",
                    ticket.id,
                    self.client.chat_postMessage,
                    channel=ticket.card_channel,
                    thread_ts=ticket.card_ts,
                    text=change_line(ticket, change, lang),
                )
        self._tell_people(ticket, change)

    def _refresh_card(self, ticket: Ticket, channel: str | None) -> None:
        """Update the card in place; post a fresh one when it is missing or gone."""
        if ticket.card_channel and ticket.card_ts:
            text, blocks = card(ticket, self.deps.now())
            try:
                self.client.chat_update(
                    channel=ticket.card_channel, ts=ticket.card_ts, text=text, blocks=blocks
                )
                return
            except SlackApiError as error:
                if slack_error(error) not in CARD_GONE:
                    raise
                log.warning(
                    "card of ticket %s is gone (%s); posting a fresh one",
                    ticket.id,
                    slack_error(error),
                )
            ticket.card_channel = ticket.card_ts = None
        if channel:
            self._post_card(ticket, channel)

    def _tell_people(self, ticket: Ticket, change: Change) -> None:
        def tell(user_id: str, key: str, link: str | None = None) -> None:
            _attempt(
                f"the {key} DM",
                ticket.id,
                self.dm,
                ticket.team_id,
                user_id,
                key,
                ticket,
                change,
                link,
            )

        if change.status_changed and ticket.reporter_id != change.actor_id:
            tell(ticket.reporter_id, "issue.notify.status")
        assignee = change.detail.get("assignee")
        if change.action == "assign" and assignee and assignee != change.actor_id:
            tell(str(assignee), "issue.notify.assigned")
        if change.action == "escalate":
            link = self.permalink(ticket.card_channel, ticket.card_ts)
            for lead in change.detail.get("to", []):
                tell(str(lead), "issue.notify.escalated", link)
        if change.action == "resolve" and ticket.source_channel:
            _attempt(
                "the resolution in the source thread",
                ticket.id,
                self.client.chat_postMessage,
                channel=ticket.source_channel,
                thread_ts=ticket.source_thread_ts or ticket.source_ts,
                text=_resolved_text(ticket, card_lang(ticket)),
            )

    def dm(
        self,
        team_id: str,
        user_id: str,
        key: str,
        ticket: Ticket,
        change: Change | None = None,
        link: str | None = None,
    ) -> None:
        """A direct message in the recipient's language."""
        cached = self.directory.cached(team_id, user_id)
        lang = lang_of(cached.locale) if cached and cached.locale else card_lang(ticket)
        text = t(
            lang,
            key,
            headline=headline(ticket),
            user=user(change.actor_id if change else ticket.reporter_id),
            status=t(lang, f"issue.status.{ticket.status}"),
        )
        if change is not None and change.action == "escalate":
            text += packet_text(change.detail, lang, link)
        opened = self.client.conversations_open(users=user_id)
        self.client.chat_postMessage(channel=str(opened["channel"]["id"]), text=text[:3000])

    def permalink(self, channel: str | None, ts: str | None) -> str | None:
        """A message's permalink, or None when there is no message or Slack will not say."""
        if not channel or not ts:
            return None
        try:
            return str(self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
        except SlackApiError as error:
            log.warning("chat.getPermalink failed: %s", error.response.get("error"))
            return None


def slack_error(error: SlackApiError) -> str | None:
    """Slack's error code of a failed call (None when the answer was not Slack's JSON)."""
    data = error.response.data if error.response is not None else None
    return str(data["error"]) if isinstance(data, dict) and data.get("error") else None


def _attempt(what: str, ticket_id: int, work: Callable[..., Any], *args: Any, **kw: Any) -> None:
    """One delivery, on its own: a failure is logged with its traceback and the rest go on."""
    try:
        work(*args, **kw)
    except Exception:
        log.exception("%s failed for ticket %s", what, ticket_id)


def change_line(ticket: Ticket, change: Change, lang: str) -> str:
    """The line a change adds to the card's thread (its story)."""
    detail = change.detail
    text = t(
        lang,
        f"issue.event.{change.action}",
        user=user(str(detail.get("assignee") or change.actor_id)),
        severity="",
    )
    line = f"{user(change.actor_id)} · {text}"
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
