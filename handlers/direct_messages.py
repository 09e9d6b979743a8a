"""Direct messages to Rolecall (the Messages tab): answered with what it does and how to ask."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.context import requester
from handlers.deps import Deps
from handlers.errors import guarded
from handlers.users import UserDirectory
from i18n import t


def from_a_person(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A person's own new message in a DM with Rolecall (not an edit, a bot, or Rolecall)."""
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and event.get("user") != bot_user_id
    )


def register(app: App, deps: Deps, directory: UserDirectory) -> None:
    """Wire the DM answer (manifest event `message.im`)."""

    def acknowledge(ack: Ack) -> None:
        """Events only need a 200; the answer is posted after."""
        ack()

    def answer_dm(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """Reply in the DM (in its thread when the message was in one) with the help."""
        if not from_a_person(event, context.bot_user_id):
            return
        who = requester(context)
        client.chat_postMessage(
            channel=str(event["channel"]),
            text=t(who.lang, "rolecall.dm_help"),
            thread_ts=event.get("thread_ts"),
        )

    app.event("message")(ack=acknowledge, lazy=[guarded(answer_dm)])
