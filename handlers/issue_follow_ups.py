"""`/issue`'s work around the ack: a search answered in the ack when it is quick (else as a
new message: Slack never replaces a command's reply), and modals opened after the ack."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.context import Requester
from handlers.deps import Deps
from handlers.errors import message_for
from handlers.issue_blocks import ticket_line
from handlers.issue_notify import slack_error
from handlers.mrkdwn import escape
from i18n import t
from services import ticket_queries as queries

log = logging.getLogger(__name__)
SEARCH_ACK_BUDGET = 2.0  # seconds a search may take inside the ack (Slack waits 3 for it)
# views.open's answers for a trigger ID it no longer takes.
STALE_TRIGGER = frozenset({"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"})


def ticket_lines(
    now: datetime, lang: str, title: str, found: queries.TicketPage, empty: str
) -> str:
    """A list's title and one line per ticket, and how many more there are."""
    if not found.tickets:
        return t(lang, empty)
    lines = [title, *(ticket_line(tk, lang, now) for tk in found.tickets)]
    if found.total > len(found.tickets):
        lines.append(t(lang, "issue.list.more", count=found.more))
    return "\n".join(lines)


class Handoff:
    """A result for the ack if it comes within the ack's budget, else sent after the ack."""

    def __init__(self, send_late: Callable[[str], object]) -> None:
        self._send_late = send_late
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._text: str | None = None
        self._late = False

    def give(self, text: str) -> None:
        """The result: kept for the ack still waiting, or sent when the ack went without it."""
        with self._lock:
            if not self._late:
                self._text = text
                self._ready.set()
                return
        self._send_late(text)

    def take(self, budget: float) -> str | None:
        """The result if it arrives within `budget` seconds; None, and it is sent later."""
        if budget > 0:
            self._ready.wait(budget)
        with self._lock:
            self._late = self._text is None
            return self._text


def search_job(deps: Deps, who: Requester, text: str, handoff: Handoff) -> None:
    """Run a search (off the request thread) and hand its answer over."""
    try:
        answer = search_text(deps, who, text)
    except Exception as error:
        log.exception("/issue search failed")
        answer = message_for(error, who.lang)
    handoff.give(answer)


def search_text(deps: Deps, who: Requester, text: str) -> str:
    """What a search found, as the lines the user reads."""
    with deps.db.begin() as session:
        found = queries.search(session, who.team_id, text)
        words = escape(text[:100])
        title = t(who.lang, "issue.search.title", words=words, count=found.shown_total)
        lines = ticket_lines(deps.now(), who.lang, title, found, "issue.search.none")
    if found.partial:
        scanned = f"{queries.SEARCH_SCAN:,}"
        lines += "\n" + t(who.lang, "issue.search.partial", scanned=scanned)
    return lines


def open_view(
    client: WebClient, respond: Respond, lang: str, trigger: str, view: dict[str, Any]
) -> None:
    """views.open after the ack. A trigger Slack no longer takes (it is good once, for 3 s)
    leaves no form to show, so the user is told to ask again instead of seeing nothing."""
    try:
        client.views_open(trigger_id=trigger, view=view)
    except SlackApiError as error:
        if slack_error(error) not in STALE_TRIGGER:
            raise
        log.warning("views.open refused: %s", slack_error(error))
        respond(response_type="ephemeral", text=t(lang, "issue.modal.too_late"))
