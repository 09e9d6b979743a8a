"""A small in-memory Slack Web API served over loopback HTTP (for `rolecall shell` and tests)."""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self, cast
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
APP_ID = "A0ROLECALL"
PERMALINK_HOST = "https://emulator.slack.test"
# slack_sdk form-encodes these as JSON strings; decode them so tests see Python objects.
_JSON_ARGS = ("blocks", "view", "attachments")
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

RawReply = tuple[int, dict[str, str], bytes]
Handler = Callable[["SlackEmulator", dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class ApiCall:
    """One Web API request as the emulator received it."""

    method: str
    args: dict[str, Any]
    token: str | None


@dataclass(frozen=True)
class ResponsePost:
    """One JSON body posted to a response_url."""

    key: str
    body: dict[str, Any]


class ApiError(Exception):
    """Raised by a method handler to answer {"ok": false, "error": <error>}."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _ts_key(ts: str) -> tuple[int, int]:
    # Compare ts as integers: floats lose the last microsecond digit at 1.7e9 seconds.
    seconds, _, micros = str(ts).partition(".")
    return int(seconds or 0), int(micros.ljust(6, "0")[:6])


def _tz_offset(tz: str) -> int:
    try:
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds()) if offset else 0


def _parse_args(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if body and "json" in content_type:
        parsed = json.loads(body)
        args.update(parsed if isinstance(parsed, dict) else {})
    elif body:
        args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in _JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            # An undecodable value stays a string; the handler decides whether that is an error.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


def _json_reply(payload: dict[str, Any]) -> RawReply:
    return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(payload).encode()


def _window(
    msgs: list[dict[str, Any]], args: dict[str, Any], *, newest_first: bool
) -> dict[str, Any]:
    """Apply Slack's oldest/latest/inclusive/limit paging to ascending messages."""
    inclusive = _truthy(args.get("inclusive"))
    lo, hi = args.get("oldest"), args.get("latest")

    def inside(msg: dict[str, Any]) -> bool:
        key = _ts_key(msg["ts"])
        if lo and (key < _ts_key(lo) or (key == _ts_key(lo) and not inclusive)):
            return False
        return not (hi and (key > _ts_key(hi) or (key == _ts_key(hi) and not inclusive)))

    picked = [m for m in msgs if inside(m)]
    if newest_first:
        picked.reverse()
    limit = int(args.get("limit") or 100)
    return {
        "messages": picked[:limit],
        "has_more": len(picked) > limit,
        "response_metadata": {"next_cursor": ""},
    }


class SlackEmulator:
    """An in-memory Slack workspace answering Web API calls on a loopback HTTP port."""

    handlers: ClassVar[dict[str, Handler]]  # filled in below the class body

    def __init__(
        self,
        team_id: str = "T0001",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        on_call: Callable[[ApiCall], None] | None = None,
        on_response: Callable[[ResponsePost], None] | None = None,
    ) -> None:
        self.team_id = team_id
        self._address = (host, port)
        self._on_call, self._on_response = on_call, on_response
        # Re-entrant: hooks and handlers may call public accessors while the lock is held.
        self._lock = threading.RLock()
        self._calls: list[ApiCall] = []
        self._responses: list[ResponsePost] = []
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._ephemeral: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}
        self._ts_micros = 1_700_000_000 * 1_000_000
        self._ids = itertools.count(1)
        self.errors: list[str] = []  # tracebacks of emulator bugs, answered as internal_error
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> Self:
        """Bind the port and serve from a daemon thread; returns self."""
        self._server = _Server(self._address, _RequestHandler)
        self._server.emulator = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The root URL, e.g. http://127.0.0.1:PORT."""
        if self._server is None:
            raise RuntimeError("SlackEmulator is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL for WebClient(base_url=...)."""
        return f"{self.base_url}/api/"

    def response_url(self, key: str) -> str:
        """The response_url whose posts are recorded under `key`."""
        return f"{self.base_url}/respond/{key}"

    # --- recorded traffic and workspace state ----------------------------------------------
    @property
    def calls(self) -> list[ApiCall]:
        """Every Web API call so far, in order (a copy)."""
        with self._lock:
            return list(self._calls)

    @property
    def responses(self) -> list[ResponsePost]:
        """Every response_url post so far, in order (a copy)."""
        with self._lock:
            return list(self._responses)

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
            "updated": 1_700_000_000,
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

    def add_channel(self, channel_id: str, name: str) -> None:
        """Add a public channel the bot is a member of."""
        with self._lock:
            self._channels[channel_id] = {
                "id": channel_id,
                "name": name,
                "is_channel": True,
                "is_group": False,
                "is_im": False,
                "is_private": False,
                "is_archived": False,
                "is_member": True,
                "created": 1_700_000_000,
            }

    def post_user_message(
        self, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> str:
        """Store a message as if a human posted it; returns its ts."""
        with self._lock:
            fields = {"text": text, "thread_ts": thread_ts}
            msg = self._store_message(self._resolve_channel(channel), fields, {"user": user})
            return str(msg["ts"])

    # --- request handling (called from server threads) -----------------------------------
    def _intercept(self, call: ApiCall) -> RawReply | None:
        """Hook for fault injection: return a raw reply to send instead of handling the call."""
        return None

    def _serve_api(self, method: str, query: str, body: bytes, headers: Message) -> RawReply:
        try:
            args = _parse_args(query, body, headers.get("Content-Type", ""))
        except ValueError:
            return _json_reply({"ok": False, "error": "invalid_json"})
        bearer = headers.get("Authorization", "")
        token = bearer[7:] if bearer.startswith("Bearer ") else args.get("token")
        call = ApiCall(method, args, token)
        with self._lock:
            self._calls.append(call)
        intercepted = self._intercept(call)
        if intercepted is not None:
            return intercepted
        result = self._dispatch(call)
        if self._on_call is not None:
            self._run_hook(self._on_call, call)
        return _json_reply(result)

    def _dispatch(self, call: ApiCall) -> dict[str, Any]:
        handler = self.handlers.get(call.method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        try:
            with self._lock:
                # Deep-copied under the lock: the reply must not share lists with live state.
                return copy.deepcopy({"ok": True, **handler(self, copy.deepcopy(call.args))})
        except ApiError as exc:
            return {"ok": False, "error": exc.error}
        except Exception as exc:
            # An emulator bug: answer as Slack would, and keep the trace for the tests to show.
            self.errors.append(traceback.format_exc())
            return {"ok": False, "error": "internal_error", "detail": repr(exc)}

    def _run_hook(self, hook: Callable[[Any], None], item: ApiCall | ResponsePost) -> None:
        try:
            hook(item)
        except Exception:
            # A failing hook (e.g. the shell's renderer) must not cost the client its answer.
            self.errors.append(traceback.format_exc())

    def _serve_response(self, key: str, body: bytes) -> RawReply:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return 400, {"Content-Type": "text/plain"}, b"invalid_payload"
        post = ResponsePost(key, payload if isinstance(payload, dict) else {"payload": payload})
        with self._lock:
            self._responses.append(post)
        if self._on_response is not None:
            self._run_hook(self._on_response, post)
        return 200, {"Content-Type": "text/html"}, b"ok"

    # --- helpers for method handlers (lock held) ------------------------------------------
    def _next_ts(self) -> str:
        self._ts_micros += 100
        return f"{self._ts_micros // 1_000_000}.{self._ts_micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _bot_author(self) -> dict[str, Any]:
        return {"user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID}

    def _resolve_channel(self, channel: str) -> str:
        """Map a user ID to its DM (as Slack does); register unknown channel IDs leniently."""
        if not channel:
            raise ApiError("channel_not_found")
        if channel in self._users:
            return self._open_dm(channel)
        if channel not in self._channels:
            self.add_channel(channel, channel.lower())
        return channel

    def _open_dm(self, user_id: str) -> str:
        if user_id not in self._users:
            raise ApiError("user_not_found")
        dm = f"D{user_id}"
        flags = {"is_im": True, "is_channel": False, "is_member": True, "created": 1_700_000_000}
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
            "hash": f"1700000000.{next(self._ids):08x}",
        }
        self._views[view_id] = stored
        return stored


# --- Web API method handlers: (emulator, args) -> fields added next to "ok": true -----------
def _auth_test(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": f"{PERMALINK_HOST}/",
        "team": "Emulated Workspace",
        "user": "rolecall",
        "team_id": emu.team_id,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


def _team_info(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "team": {
            "id": emu.team_id,
            "name": "Emulated Workspace",
            "domain": "emulator",
            "email_domain": "",
        }
    }


def _users_info(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    user = emu._users.get(args.get("user", ""))
    if user is None:
        raise ApiError("user_not_found")
    return {"user": emu._user_view(user, _truthy(args.get("include_locale")))}


def _users_list(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    members = [emu._user_view(u, _truthy(args.get("include_locale"))) for u in emu._users.values()]
    return {"members": members, "cache_ts": 1_700_000_000, "response_metadata": {"next_cursor": ""}}


def _conversations_open(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    users = [u for u in str(args.get("users", "")).split(",") if u]
    if len(users) != 1:
        raise ApiError("users_list_not_supplied" if not users else "not_supported")
    return {"channel": {"id": emu._open_dm(users[0])}, "no_op": True, "already_open": True}


def _conversations_info(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    channel = emu._channels.get(args.get("channel", ""))
    if channel is None:
        raise ApiError("channel_not_found")
    return {"channel": channel}


def _conversations_history(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    channel = args.get("channel", "")
    if channel not in emu._channels:
        raise ApiError("channel_not_found")
    top_level = [
        m for m in emu._messages.get(channel, []) if m.get("thread_ts", m["ts"]) == m["ts"]
    ]
    return _window(top_level, args, newest_first=True)


def _conversations_replies(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    channel = args.get("channel", "")
    try:
        anchor = emu._find_message(channel, args.get("ts", ""))
    except ApiError:
        raise ApiError("thread_not_found") from None
    root = anchor.get("thread_ts", anchor["ts"])
    thread = [
        m for m in emu._messages.get(channel, []) if m["ts"] == root or m.get("thread_ts") == root
    ]
    return _window(thread, args, newest_first=False)


def _chat_post_message(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    if not (args.get("text") or args.get("blocks") or args.get("attachments")):
        raise ApiError("no_text")
    channel = emu._resolve_channel(args.get("channel", ""))
    msg = emu._store_message(channel, args, emu._bot_author())
    return {"channel": channel, "ts": msg["ts"], "message": msg}


def _chat_update(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    channel = args.get("channel", "")
    msg = emu._find_message(channel, args.get("ts", ""))
    if "bot_id" not in msg:
        raise ApiError("cant_update_message")
    # Fields left out keep their old value (text-only updates keep the blocks, and vice versa).
    msg.update({k: args[k] for k in ("text", "blocks", "attachments", "metadata") if k in args})
    msg["edited"] = {"user": BOT_USER_ID, "ts": emu._next_ts()}
    return {"channel": channel, "ts": msg["ts"], "text": msg["text"], "message": msg}


def _chat_post_ephemeral(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    if not args.get("user"):
        raise ApiError("user_not_found")
    if not (args.get("text") or args.get("blocks") or args.get("attachments")):
        raise ApiError("no_text")
    channel = emu._resolve_channel(args.get("channel", ""))
    ts = emu._next_ts()
    emu._ephemeral.append(
        {
            "channel": channel,
            "user": args["user"],
            "ts": ts,
            "bot_id": BOT_ID,
            **{k: args[k] for k in ("text", "blocks", "attachments", "thread_ts") if k in args},
        }
    )
    return {"message_ts": ts}


def _chat_delete(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    channel, ts = args.get("channel", ""), args.get("ts", "")
    if "bot_id" not in emu._find_message(channel, ts):
        raise ApiError("cant_delete_message")
    emu._messages[channel] = [m for m in emu._messages[channel] if m["ts"] != ts]
    return {"channel": channel, "ts": ts}


def _chat_get_permalink(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    channel, ts = args.get("channel", ""), str(args.get("message_ts", ""))
    if not channel or not ts:
        raise ApiError("invalid_arguments")
    return {
        "channel": channel,
        "permalink": f"{PERMALINK_HOST}/archives/{channel}/p{ts.replace('.', '')}",
    }


def _reactions_add(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    msg = emu._find_message(args.get("channel", ""), args.get("timestamp", ""))
    name = str(args.get("name", "")).strip(":")
    reactions: list[dict[str, Any]] = msg.setdefault("reactions", [])
    entry = next((r for r in reactions if r["name"] == name), None)
    if entry is None:
        reactions.append({"name": name, "users": [BOT_USER_ID], "count": 1})
    elif BOT_USER_ID in entry["users"]:
        raise ApiError("already_reacted")
    else:
        entry["users"].append(BOT_USER_ID)
        entry["count"] += 1
    return {}


def _views_open(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    if not args.get("trigger_id") and not args.get("interactivity_pointer"):
        raise ApiError("invalid_arguments")
    return {"view": emu._store_view(args.get("view"))}


def _views_update(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    view_id, external_id = args.get("view_id"), args.get("external_id")
    current = next(
        (
            v
            for v in emu._views.values()
            if v["id"] == view_id or (external_id and v.get("external_id") == external_id)
        ),
        None,
    )
    if current is None:
        raise ApiError("not_found")
    if args.get("hash") and args["hash"] != current["hash"]:
        raise ApiError("hash_conflict")
    return {"view": emu._store_view(args.get("view"), replacing=current)}


def _views_publish(emu: SlackEmulator, args: dict[str, Any]) -> dict[str, Any]:
    user_id = args.get("user_id", "")
    if not user_id:
        raise ApiError("invalid_arguments")
    current_id = emu._home_views.get(user_id)
    current = emu._views.get(current_id) if current_id else None
    if current is not None and args.get("hash") and args["hash"] != current["hash"]:
        raise ApiError("hash_conflict")
    view = emu._store_view(args.get("view"), replacing=current)
    emu._home_views[user_id] = view["id"]
    return {"view": view}


SlackEmulator.handlers = {
    "auth.test": _auth_test,
    "team.info": _team_info,
    "users.info": _users_info,
    "users.list": _users_list,
    "conversations.open": _conversations_open,
    "conversations.info": _conversations_info,
    "conversations.history": _conversations_history,
    "conversations.replies": _conversations_replies,
    "chat.postMessage": _chat_post_message,
    "chat.update": _chat_update,
    "chat.postEphemeral": _chat_post_ephemeral,
    "chat.delete": _chat_delete,
    "chat.getPermalink": _chat_get_permalink,
    "reactions.add": _reactions_add,
    "views.open": _views_open,
    "views.push": _views_open,
    "views.update": _views_update,
    "views.publish": _views_publish,
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: SlackEmulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-request are normal in tests; stay quiet


class _RequestHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        emulator = cast(_Server, self.server).emulator
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if parts.path.startswith("/api/"):
            reply = emulator._serve_api(parts.path[len("/api/") :], parts.query, body, self.headers)
        elif parts.path.startswith("/respond/"):
            reply = emulator._serve_response(parts.path[len("/respond/") :], body)
        else:
            reply = (404, {"Content-Type": "text/plain"}, b"not_found")
        status, headers, payload = reply
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(payload))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no per-request logging on stderr
