"""`/rolecall`: what the app does, and this workspace's settings."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from domain.commands import resolve
from domain.config import CONFIG_KEYS, SEVERITIES
from domain.errors import UsageError
from domain.parsing import split_command
from handlers import deliveries
from handlers.access import require_admin
from handlers.context import requester
from handlers.deps import Deps
from handlers.durations import amount
from handlers.errors import after_ack
from handlers.issue_notify import slack_error
from handlers.mrkdwn import channel, escape, user
from handlers.replies import ephemeral
from handlers.users import UserDirectory
from i18n import joined, t
from services.config import change_config, configured_keys, workspace_config

log = logging.getLogger(__name__)
USAGE = "rolecall.usage"


class RolecallCommand:
    """`/rolecall`: help, this workspace's settings, and (admins) failed deliveries."""

    def __init__(self, deps: Deps, directory: UserDirectory) -> None:
        self.deps, self.directory = deps, directory

    def rolecall_command(
        self,
        ack: Ack,
        command: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        """Answer help and config from the store, inside the ack; a new support channel is
        checked after it (can Rolecall post there?)."""
        who = requester(context)
        sub, rest = split_command(command.get("text", ""), USAGE)
        found = resolve(sub, rest, ("help", "config", "deliveries"), takes={"config": CONFIG_KEYS})
        if sub == "" or found.name == "help":
            ack(ephemeral(t(who.lang, "rolecall.help")))
            return
        if found.suggestion:
            raise UsageError(
                "command.did_you_mean", usage=USAGE, suggestion=f"/rolecall {found.suggestion}"
            )
        if found.name == "deliveries":  # failed deliveries and their retry: handlers.deliveries
            ack(deliveries.answer(self.deps, self.directory, who, rest))
            return
        if found.name != "config":
            raise UsageError("rolecall.unknown", usage=USAGE, text=sub[:40])
        with self.deps.db.begin() as session:
            require_admin(self.deps, self.directory, session, who)
            if rest:
                key, _, raw = rest.partition(" ")
                if not raw.strip():
                    name = key.lower().replace("-", "_")
                    if name in CONFIG_KEYS:  # say what is missing for this setting
                        raise UsageError(f"rolecall.config.need_value.{name}", usage=USAGE)
                    ack(ephemeral(f"{t(who.lang, 'error.usage_hint')} {t(who.lang, USAGE)}"))
                    return
                value = change_config(session, who.team_id, key, raw)
                name = key.lower().replace("-", "_")
                if value is None:
                    shown = _show(
                        name, workspace_config(session, self.deps.settings, who.team_id), who.lang
                    )
                    ack(ephemeral(t(who.lang, "rolecall.config.reset", key=name, value=shown)))
                    return
            config = workspace_config(session, self.deps.settings, who.team_id)
            own = configured_keys(session, who.team_id)
        if rest:
            shown = _show(name, config, who.lang)
            ack(ephemeral(t(who.lang, "rolecall.config.saved", key=name, value=shown)))
            if name == "support_channel" and config.support_channel:
                wanted = config.support_channel
                after_ack(self.deps, check_support_channel, client, respond, who.lang, wanted)
            return
        ack(ephemeral(_listing(who.lang, config, own, self.deps.settings.model_fields_set)))


def register(app: App, deps: Deps, directory: UserDirectory) -> None:
    """Wire `/rolecall`."""
    app.command("/rolecall")(RolecallCommand(deps, directory).rolecall_command)
    deliveries.register(app, deps, directory)


def _listing(lang: str, config: Any, own: set[str], from_env: set[str]) -> str:
    """Every setting with its value and where it comes from (this workspace, the
    environment, or the built-in default)."""
    lines = [t(lang, "rolecall.config.title")]
    for key in CONFIG_KEYS:
        source = "workspace" if key in own else "environment" if key in from_env else "default"
        lines.append(
            t(
                lang,
                "rolecall.config.line",
                key=key,
                value=_show(key, config, lang),
                source=t(lang, f"rolecall.config.source.{source}"),
            )
        )
    return "\n".join(lines)


def check_support_channel(client: WebClient, respond: Respond, lang: str, channel_id: str) -> None:
    """Tell the admin when Rolecall cannot post cards in the new support channel, and how to
    fix it: a private channel needs `/invite @Rolecall`; an archived one, another channel."""
    try:
        found = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as error:
        code = slack_error(error)
        log.warning("conversations.info of support channel %s: %s", channel_id, code)
        key = "unseen" if code == "channel_not_found" else "unchecked"
        respond(response_type="ephemeral", text=_channel_problem(lang, key, channel_id, code))
        return
    if found.get("is_archived"):
        key = "archived"
    elif found.get("is_private") and not found.get("is_member"):
        key = "unseen"  # Slack hides such channels; kept for a token that can see them
    else:
        return  # a member, or a public channel (chat:write.public posts there)
    respond(response_type="ephemeral", text=_channel_problem(lang, key, channel_id, None))


def _channel_problem(lang: str, key: str, channel_id: str, code: str | None) -> str:
    return t(
        lang,
        f"rolecall.support_channel.{key}",
        channel=channel(channel_id),
        error=escape(code or "?"),
    )


def _show(key: str, config: Any, lang: str) -> str:
    """A setting's value as the user should read it."""
    unset = t(lang, "rolecall.config.unset")
    if key == "support_channel":
        return channel(config.support_channel) if config.support_channel else unset
    if key == "admins":
        return joined(lang, map(user, config.admins)) if config.admins else unset
    if key == "first_response":
        minutes = config.first_response_minutes
        return joined(
            lang,
            [f"{t(lang, f'issue.severity.{s}')} {amount(lang, minutes[s])}" for s in SEVERITIES],
        )
    if key == "language":
        return t(lang, f"rolecall.config.language.{config.language}")
    value = getattr(config, key)
    return escape(str(value)) if value else unset
