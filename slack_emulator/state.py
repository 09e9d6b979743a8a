"""The emulated workspace's state: members, channels, messages and views, behind one lock.

Channels know whether they are private, archived and whether the bot is in them, and the
bot has the scopes the manifest grants, so posting and reading fail where Slack's do.
"""

from __future__ import annotations

import copy
import itertools
import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_emulator.markup import slack_encoded
from slack_emulator.triggers import TriggerBook

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
APP_ID = "A0ROLECALL"
PERMALINK_HOST = "https://emulator.slack.test"
EPOCH = 1_700_000_000  # "now" for every created/updated stamp the emulator hands out
# The bot scopes manifest.yml grants (a test keeps the two equal).
BOT_SCOPES = frozenset(
    {
        "commands",
        "chat:write",
        "chat:write.public",
        "im:write",
        "users:read",
        "reactions:read",
        "channels:read",
        "groups:read",
        "channels:history",
        "groups:history",
        "im:history",
        "mpim:history",
    }
)
_VIEW_DEFAULTS: dict[str, Any] = {
    "type": "modal",
    "blocks": [],
    "private_metadata": "",
    "callback_id": "",
    "external_id": "",
    "state": {"values": {}},
    "clear_on_close": False,
    "notify_on_close": False,
    "previous_view_id": None,
}


class ApiError(Exception):
    """Raised by a method handler to answer {"ok": false, "error": <error>, **extra}."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def _tz_offset(tz: str) -> int:
    try:
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds()) if offset else 0


class EmulatedWorkspace:
    """One workspace's members, channels, messages and views; `SlackEmulator` serves them."""

    def __init__(self, team_id: str) -> None:
        self.team_id = team_id
        # Re-entrant: hooks and handlers may call public accessors while the lock is held.
        self._lock = threading.RLock()
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._ephemeral: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}
        self._ts_micros = EPOCH * 1_000_000
        self._ids = itertools.count(1)
        self.scopes: set[str] = set(BOT_SCOPES)
        self.triggers = TriggerBook()
        # Where apps.connections.open sends a Socket Mode client (a test's WebSocket server).
        self.socket_mode_url: str | None = None

    # --- workspace state -------------------------------------------------------------------
    @property
    def views(self) -> list[dict[str, Any]]:
        """Every stored view (modals and home tabs), latest version of each."""
        with self._lock:
            return copy.deepcopy(list(self._views.values()))

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for a user."""
        with self._lock:
            view_id = self._home_views.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Stored messages of a channel (threads included), oldest first."""
        with self._lock:
            return copy.deepcopy(self._messages.get(channel, []))

    def ephemeral_messages(self, user: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages (each with its channel and target user), optionally for one user."""
        with self._lock:
            return copy.deepcopy([m for m in self._ephemeral if user in (None, m["user"])])

    def expire_triggers(self, trigger_id: str | None = None) -> None:
        """Let one trigger ID (or every one issued so far) run out, as 3 s would."""
        self.triggers.expire(trigger_id)

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        tz: str = "UTC",
        locale: str = "en-US",
        is_admin: bool = False,
        is_owner: bool = False,
        deleted: bool = False,
        is_bot: bool = False,
    ) -> dict[str, Any]:
        """Add a workspace member and return its stored record."""
        profile = {
            "real_name": name,
            "display_name": name,
            "real_name_normalized": name,
            "display_name_normalized": name,
            "team": self.team_id,
        }
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": name,
            "deleted": deleted,
            "tz": tz,
            "tz_label": tz,
            "locale": locale,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": EPOCH,
            "profile": profile,
        }
        with self._lock:
            self._users[user_id] = user
        return copy.deepcopy(user)

    def set_user(self, user_id: str, **changes: Any) -> None:
        """Change a member's fields (KeyError if unknown); names also update the profile."""
        with self._lock:
            user = self._users[user_id]
            profile = user["profile"]
            profile.update(changes.pop("profile", {}))
            for key in ("real_name", "display_name"):
                if key in changes:
                    profile[key] = profile[f"{key}_normalized"] = changes[key]
            changes.pop("display_name", None)
            user.update(changes)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        private: bool = False,
        member: bool = True,
        archived: bool = False,
    ) -> None:
        """Add a channel (by default public, with the bot in it)."""
        with self._lock:
            self._channels[channel_id] = {
                "id": channel_id,
                "name": name,
                "is_channel": True,
                "is_group": False,
                "is_im": False,
                "is_private": private,
                "is_archived": archived,
                "is_member": member,
                "created": EPOCH,
            }

    def set_channel(
        self,
        channel_id: str,
        *,
        private: bool | None = None,
        member: bool | None = None,
        archived: bool | None = None,
    ) -> None:
        """Make a channel private, invite or remove the bot, archive it (KeyError if unknown)."""
        changes = {"is_private": private, "is_member": member, "is_archived": archived}
        with self._lock:
            self._channels[channel_id].update({k: v for k, v in changes.items() if v is not None})

    def post_user_message(
        self, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> str:
        """Store a message as if a human posted it; returns its ts.

        As Slack does, `&`, `<` and `>` are stored as entities, except in Slack's own markup
        tokens (`<@U1|bob>`, `<#C1|general>`, `<!here>`, `<https://…|label>`), kept as sent.
        """
        with self._lock:
            if channel not in self._channels and channel not in self._users:
                self.add_channel(channel, channel.lower())  # people post where they are
            fields = {"text": slack_encoded(text), "thread_ts": thread_ts}
            msg = self._store_message(self._resolve_channel(channel), fields, {"user": user})
            return str(msg["ts"])

    def post_as_app(self, channel: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Store the app's answer where a person invoked it (a slash command's `in_channel`
        ack: Slack posts it whether or not the bot is in the channel)."""
        with self._lock:
            msg = self._store_message(self._resolve_channel(channel), fields, self._bot_author())
            return copy.deepcopy(msg)

    # --- helpers for method handlers (lock held) ------------------------------------------
    def _next_ts(self) -> str:
        self._ts_micros += 100
        return f"{self._ts_micros // 1_000_000}.{self._ts_micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _bot_author(self) -> dict[str, Any]:
        return {"user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID}

    def _resolve_channel(self, channel: str) -> str:
        """A known channel, or a user ID's DM (as Slack maps them); else channel_not_found."""
        if channel in self._users:
            return self._open_dm(channel)
        if channel.startswith("D") and channel[1:] in self._users:
            return self._open_dm(channel[1:])  # the DM a person has with the bot
        if not channel or channel not in self._channels:
            raise ApiError("channel_not_found")
        return channel

    def _open_dm(self, user_id: str) -> str:
        if user_id not in self._users:
            raise ApiError("user_not_found")
        dm = f"D{user_id}"
        flags = {"is_im": True, "is_channel": False, "is_member": True, "created": EPOCH}
        self._channels.setdefault(dm, {"id": dm, "user": user_id, **flags})
        return dm

    def _find_message(self, channel: str, ts: str) -> dict[str, Any]:
        for msg in self._messages.get(channel, []):
            if msg["ts"] == ts:
                return msg
        raise ApiError("message_not_found")

    def _store_message(
        self, channel: str, fields: dict[str, Any], author: dict[str, Any]
    ) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "type": "message",
            "ts": self._next_ts(),
            **author,
            "team": self.team_id,
            "text": fields.get("text") or "",
        }
        msg.update({k: fields[k] for k in ("blocks", "attachments", "metadata") if fields.get(k)})
        if thread_ts := fields.get("thread_ts"):
            msg["thread_ts"] = thread_ts
            for parent in self._messages.get(channel, []):
                if parent["ts"] == thread_ts:
                    parent.update(
                        thread_ts=thread_ts,
                        reply_count=parent.get("reply_count", 0) + 1,
                        latest_reply=msg["ts"],
                    )
        self._messages.setdefault(channel, []).append(msg)
        return msg

    def _delete_message(self, channel: str, ts: str) -> None:
        self._messages[channel] = [m for m in self._messages.get(channel, []) if m["ts"] != ts]

    def _replace_message(self, channel: str, ts: str, content: dict[str, Any]) -> None:
        """Replace a message's text and blocks entirely (a response_url replace)."""
        msg = self._find_message(channel, ts)
        for key in ("text", "blocks", "attachments"):
            msg.pop(key, None)
        msg.update({"text": "", **content})

    def _add_ephemeral(self, channel: str | None, user: str | None, content: dict[str, Any]) -> str:
        ts = self._next_ts()
        self._ephemeral.append(
            {"channel": channel, "user": user, "ts": ts, "bot_id": BOT_ID, **content}
        )
        return ts

    def _user_view(self, user: dict[str, Any], include_locale: bool) -> dict[str, Any]:
        shown = {**user, "profile": dict(user["profile"]), "tz_offset": _tz_offset(user["tz"])}
        if not include_locale:
            shown.pop("locale", None)  # Slack only returns locale when asked to
        return shown

    def _store_view(self, view: Any, *, replacing: dict[str, Any] | None = None) -> dict[str, Any]:
        if not isinstance(view, dict):
            raise ApiError("invalid_arguments")
        view_id = replacing["id"] if replacing else self._next_id("V")
        root = replacing.get("root_view_id", view_id) if replacing else view_id
        stored = {
            **_VIEW_DEFAULTS,
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "app_installed_team_id": self.team_id,
            "root_view_id": root,
            "hash": f"{EPOCH}.{next(self._ids):08x}",
        }
        self._views[view_id] = stored
        return stored
