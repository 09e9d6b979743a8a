"""The emulator's Web API methods: (workspace, args) -> fields added next to "ok": true."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_emulator.access import postable, readable
from slack_emulator.blocks import Refusal, check_message, check_view
from slack_emulator.state import (
    BOT_ID,
    BOT_USER_ID,
    EPOCH,
    PERMALINK_HOST,
    ApiError,
    EmulatedWorkspace,
)

Handler = Callable[[EmulatedWorkspace, dict[str, Any]], dict[str, Any]]


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _ts_key(ts: str) -> tuple[int, int]:
    # Compare ts as integers: floats lose the last microsecond digit at 1.7e9 seconds.
    seconds, _, micros = str(ts).partition(".")
    return int(seconds or 0), int(micros.ljust(6, "0")[:6])


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


def _refuse(refusal: Refusal | None) -> None:
    if refusal is not None:
        raise ApiError(**refusal.api_fields())


def _require_content(args: dict[str, Any]) -> None:
    """A message Slack would show: text or blocks, within Block Kit's limits."""
    _refuse(check_message(args))


def _require_view(args: dict[str, Any]) -> dict[str, Any]:
    view = args.get("view")
    _refuse(check_view(view))
    return dict(view or {})  # check_view refused anything but an object


def _require_hash(args: dict[str, Any], current: dict[str, Any]) -> None:
    """A `hash` argument must match the stored view's (Slack's optimistic locking)."""
    if args.get("hash") and args["hash"] != current["hash"]:
        raise ApiError("hash_conflict")


# --- Web API method handlers: (emulator, args) -> fields added next to "ok": true -----------
def _auth_test(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": f"{PERMALINK_HOST}/",
        "team": "Emulated Workspace",
        "user": "rolecall",
        "team_id": emu.team_id,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


def _team_info(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "team": {
            "id": emu.team_id,
            "name": "Emulated Workspace",
            "domain": "emulator",
            "email_domain": "",
        }
    }


def _users_info(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    user = emu._users.get(args.get("user", ""))
    if user is None:
        raise ApiError("user_not_found")
    return {"user": emu._user_view(user, _truthy(args.get("include_locale")))}


def _users_list(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    members = [emu._user_view(u, _truthy(args.get("include_locale"))) for u in emu._users.values()]
    return {"members": members, "cache_ts": EPOCH, "response_metadata": {"next_cursor": ""}}


def _conversations_open(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    users = [u for u in str(args.get("users", "")).split(",") if u]
    if len(users) != 1:
        raise ApiError("users_list_not_supplied" if not users else "not_supported")
    return {"channel": {"id": emu._open_dm(users[0])}, "no_op": True, "already_open": True}


def _conversations_info(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"channel": readable(emu, args.get("channel", ""))}


def _conversations_history(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = args.get("channel", "")
    readable(emu, channel, history=True)
    top_level = [
        m for m in emu._messages.get(channel, []) if m.get("thread_ts", m["ts"]) == m["ts"]
    ]
    return _window(top_level, args, newest_first=True)


def _conversations_replies(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = args.get("channel", "")
    readable(emu, channel, history=True)
    try:
        anchor = emu._find_message(channel, args.get("ts", ""))
    except ApiError:
        raise ApiError("thread_not_found") from None
    root = anchor.get("thread_ts", anchor["ts"])
    thread = [
        m for m in emu._messages.get(channel, []) if m["ts"] == root or m.get("thread_ts") == root
    ]
    return _window(thread, args, newest_first=False)


def _chat_post_message(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    _require_content(args)
    channel = postable(emu, args.get("channel", ""))
    msg = emu._store_message(channel, args, emu._bot_author())
    return {"channel": channel, "ts": msg["ts"], "message": msg}


def _chat_update(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = args.get("channel", "")
    _require_content(args)
    postable(emu, channel)
    msg = emu._find_message(channel, args.get("ts", ""))
    if "bot_id" not in msg:
        raise ApiError("cant_update_message")
    # Fields left out keep their old value (text-only updates keep the blocks, and vice versa).
    msg.update({k: args[k] for k in ("text", "blocks", "attachments", "metadata") if k in args})
    msg["edited"] = {"user": BOT_USER_ID, "ts": emu._next_ts()}
    return {"channel": channel, "ts": msg["ts"], "text": msg["text"], "message": msg}


def _chat_post_ephemeral(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    if not args.get("user"):
        raise ApiError("user_not_found")
    _require_content(args)
    channel = postable(emu, args.get("channel", ""))
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


def _chat_delete(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    channel, ts = args.get("channel", ""), args.get("ts", "")
    if "bot_id" not in emu._find_message(channel, ts):
        raise ApiError("cant_delete_message")
    emu._messages[channel] = [m for m in emu._messages[channel] if m["ts"] != ts]
    return {"channel": channel, "ts": ts}


def _chat_get_permalink(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    channel, ts = args.get("channel", ""), str(args.get("message_ts", ""))
    if not channel or not ts:
        raise ApiError("invalid_arguments")
    return {
        "channel": channel,
        "permalink": f"{PERMALINK_HOST}/archives/{channel}/p{ts.replace('.', '')}",
    }


def _reactions_add(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
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


def _views_open(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    """views.open and views.push: a valid view, and a trigger ID used once within 3 s."""
    trigger = args.get("trigger_id") or args.get("interactivity_pointer")
    if not trigger:
        raise ApiError("invalid_arguments")
    view = _require_view(args)
    error = emu.triggers.exchange(str(trigger))
    if error:
        raise ApiError(error)
    return {"view": emu._store_view(view)}


def _views_update(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
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
    _require_hash(args, current)
    return {"view": emu._store_view(_require_view(args), replacing=current)}


def _views_publish(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    user_id = args.get("user_id", "")
    if not user_id:
        raise ApiError("invalid_arguments")
    current_id = emu._home_views.get(user_id)
    current = emu._views.get(current_id) if current_id else None
    if current is not None:
        _require_hash(args, current)
    view = emu._store_view(_require_view(args), replacing=current)
    emu._home_views[user_id] = view["id"]
    return {"view": view}


def _apps_connections_open(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    if emu.socket_mode_url is None:
        raise ApiError("socket_mode_not_available")
    return {"url": emu.socket_mode_url}


HANDLERS: dict[str, Handler] = {
    "apps.connections.open": _apps_connections_open,
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
