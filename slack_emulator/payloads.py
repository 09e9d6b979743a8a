"""Builders of inbound Slack requests (commands, interactivity, events) shaped as Slack sends them.

Shapes follow Slack's reference payloads for a non-Enterprise-Grid workspace: slash commands are
form fields, interactivity is a form field `payload` holding JSON, Events API bodies are JSON.
Command text is encoded as Slack encodes it (`&`, `<`, `>` as entities outside its markup
tokens), and trigger IDs carry the instant they were issued, so the emulator can hold them
to Slack's 3 seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from slack_emulator.emulator import APP_ID, BOT_ID, BOT_USER_ID
from slack_emulator.markup import slack_encoded
from slack_emulator.triggers import mint_trigger_id

VERIFICATION_TOKEN = "verification-token-placeholder"  # deprecated by Slack, but still sent
TEAM_DOMAIN = "emulator"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"


def new_trigger_id() -> str:
    """A fresh trigger_id shaped like Slack's ("<digits>.<digits>.<hex>"), issued now."""
    return mint_trigger_id()


def _now_ts() -> str:
    return f"{time.time():.6f}"


def _channel_name(channel_id: str) -> str:
    # Slack reports DMs as "directmessage"; other names are not knowable here.
    return "directmessage" if channel_id.startswith("D") else channel_id.lower()


def _channel_type(channel_id: str) -> str:
    return {"D": "im", "G": "group"}.get(channel_id[:1], "channel")


def _team(team_id: str) -> dict[str, Any]:
    return {"id": team_id, "domain": TEAM_DOMAIN}


def _user(team_id: str, user_id: str, user_name: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def _interactivity_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def _common(team_id: str, user_id: str, user_name: str, kind: str) -> dict[str, Any]:
    """Fields every interactivity payload carries."""
    return {
        "type": kind,
        "token": VERIFICATION_TOKEN,
        "api_app_id": APP_ID,
        "team": _team(team_id),
        "user": _user(team_id, user_id, user_name),
        "enterprise": None,
        "is_enterprise_install": False,
    }


def slash_command(
    *,
    team_id: str,
    user_id: str,
    user_name: str,
    command: str,
    text: str,
    channel_id: str = "C0GENERAL",
    response_url: str,
    trigger_id: str | None = None,
    channel_name: str | None = None,
) -> str:
    """The x-www-form-urlencoded body of a slash command invocation.

    `text` is what the person typed, mentions already as Slack's tokens (`<@U1|bob>`); `&`,
    `<` and `>` elsewhere arrive as `&amp;`, `&lt;`, `&gt;`, as Slack sends them.
    """
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name or _channel_name(channel_id),
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": slack_encoded(text),
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return urlencode(fields)


def _default_container(
    channel_id: str | None, message: dict[str, Any] | None, view: dict[str, Any] | None
) -> dict[str, Any]:
    if view is not None:
        return {"type": "view", "view_id": view.get("id", "V1")}
    # Slack omits `message` for clicks on ephemeral messages and marks the container instead.
    ts = message["ts"] if message is not None else _now_ts()
    container = {"type": "message", "message_ts": ts, "is_ephemeral": message is None}
    return container | ({"channel_id": channel_id} if channel_id else {})


def block_actions(
    *,
    team_id: str,
    user_id: str,
    user_name: str,
    action_id: str,
    value: str,
    block_id: str = "b",
    response_url: str | None,
    channel_id: str | None = None,
    message: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    view: dict[str, Any] | None = None,
    action: dict[str, Any] | None = None,
) -> str:
    """The form body of a block_actions payload: a button click unless `action` overrides fields.

    Pass `message` for a click in a channel message, `view` for a modal or App Home click,
    neither (with `channel_id`) for an ephemeral message.
    """
    clicked = {
        "type": "button",
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": value, "emoji": True},
        "value": value,
        "action_ts": _now_ts(),
        **(action or {}),
    }
    payload = _common(team_id, user_id, user_name, "block_actions")
    payload["container"] = container or _default_container(channel_id, message, view)
    payload["trigger_id"] = trigger_id or new_trigger_id()
    if view is not None:
        payload["view"] = view  # a view carries its own state
    else:
        payload["state"] = {"values": {}}
    if channel_id is not None:
        payload["channel"] = {"id": channel_id, "name": _channel_name(channel_id)}
    if message is not None:
        payload["message"] = message
    if response_url is not None:
        payload["response_url"] = response_url
    payload["actions"] = [clicked]
    return _interactivity_body(payload)


def view_submission(
    *,
    team_id: str,
    user_id: str,
    user_name: str,
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    private_metadata: str | None = None,
    view_id: str | None = None,
    view: dict[str, Any] | None = None,
    response_urls: list[dict[str, Any]] | None = None,
) -> str:
    """The form body of a view_submission; `view` (e.g. one views.open stored) fills the rest."""
    base = view or {}
    vid = view_id or base.get("id") or "V1"
    metadata = base.get("private_metadata", "") if private_metadata is None else private_metadata
    submitted = {
        "type": "modal",
        "blocks": [],
        "title": {"type": "plain_text", "text": "Rolecall"},
        "close": None,
        "submit": {"type": "plain_text", "text": "Submit"},
        "clear_on_close": False,
        "notify_on_close": False,
        "external_id": "",
        "previous_view_id": None,
        "root_view_id": vid,
        "hash": "1700000000.placeholder",
        **base,
        "id": vid,
        "team_id": team_id,
        "app_id": APP_ID,
        "app_installed_team_id": team_id,
        "bot_id": BOT_ID,
        "callback_id": callback_id,
        "private_metadata": metadata,
        "state": {"values": values},
    }
    payload = _common(team_id, user_id, user_name, "view_submission")
    payload.update(trigger_id=new_trigger_id(), view=submitted, response_urls=response_urls or [])
    return _interactivity_body(payload)


def message_shortcut(
    *,
    team_id: str,
    user_id: str,
    user_name: str,
    callback_id: str,
    channel_id: str,
    message: dict[str, Any],
    response_url: str,
    trigger_id: str | None = None,
) -> str:
    """The form body of a message shortcut (payload type "message_action")."""
    payload = _common(team_id, user_id, user_name, "message_action")
    payload.update(
        action_ts=_now_ts(),
        channel={"id": channel_id, "name": _channel_name(channel_id)},
        callback_id=callback_id,
        trigger_id=trigger_id or new_trigger_id(),
        message_ts=message["ts"],
        message={"type": "message", **message},
        response_url=response_url,
    )
    return _interactivity_body(payload)


def event_callback(
    *,
    team_id: str,
    event: dict[str, Any],
    event_id: str | None = None,
    event_time: int | None = None,
) -> str:
    """The JSON body of an Events API delivery wrapping `event`."""
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
        "event_time": event_time if event_time is not None else int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_urlsafe(24)}",
    }
    return json.dumps(envelope)


def reaction_added(
    *, user_id: str, reaction: str, channel_id: str, message_ts: str, item_user: str
) -> dict[str, Any]:
    """A reaction_added event on a message (the inner `event`)."""
    item = {
        "type": "message",
        "channel": channel_id,
        "ts": message_ts,
        "channel_type": _channel_type(channel_id),
    }
    return {
        "type": "reaction_added",
        "user": user_id,
        "reaction": reaction,
        "item_user": item_user,
        "item": item,
        "event_ts": _now_ts(),
    }


def app_home_opened(
    *, user_id: str, tab: str = "home", view: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An app_home_opened event; `view` is present once a home view was published."""
    event = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": f"D{user_id}",  # the emulator's DM id for this user
        "tab": tab,
        "event_ts": _now_ts(),
    }
    return event | ({"view": view} if view is not None else {})


def user_change(*, user: dict[str, Any]) -> dict[str, Any]:
    """A user_change event carrying the member's full, updated user object."""
    return {
        "type": "user_change",
        "user": user,
        "cache_ts": int(time.time()),
        "event_ts": _now_ts(),
    }


def signature_headers(
    body: str, signing_secret: str, *, timestamp: int | None = None, content_type: str | None = None
) -> dict[str, str]:
    """Slack's request-signing headers (v0 HMAC-SHA256 of "v0:{ts}:{body}") plus Content-Type.

    Content-Type defaults to JSON for a body starting with "{", else form-urlencoded.
    """
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(signing_secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256)
    if content_type is None:
        is_json = body.lstrip().startswith("{")
        content_type = JSON_CONTENT_TYPE if is_json else FORM_CONTENT_TYPE
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }
