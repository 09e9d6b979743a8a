"""`/standup` and `/progress`: registered so the manifest's commands never go unanswered."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from handlers.context import requester
from handlers.deps import Deps
from handlers.replies import ephemeral
from handlers.users import UserDirectory
from i18n import t


def register(app: App, deps: Deps, directory: UserDirectory) -> None:
    """Wire `/standup` and `/progress`."""

    def prompts_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        """Say plainly that scheduled prompts are not in this version yet."""
        ack(ephemeral(t(requester(context).lang, "prompts.not_yet")))

    app.command("/standup")(prompts_command)
    app.command("/progress")(prompts_command)
