"""Scheduled messages, by Slack's rules: chat.scheduleMessage, chat.deleteScheduledMessage
and chat.scheduledMessages.list.

- `post_at` (Unix seconds) must be in the future (`time_in_past`) and at most 120 days
  ahead (`time_too_far`); at most 30 messages per channel in any 5-minute window
  (`restricted_too_many`).
- Scheduled messages carry no `metadata` (Slack drops it); they post as the bot when their
  time comes, and are then no longer listed nor deletable (`invalid_scheduled_message_id`).
- Time is `emu.scheduled_clock()` (Unix seconds; a test gives its own), else the wall clock.
  Due messages are posted before any Web API call is answered (`with_scheduled`) or when
  `post_due(emu)` is called.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from slack_emulator.state import ApiError, EmulatedWorkspace

ScheduledHandler = Callable[[EmulatedWorkspace, dict[str, Any]], dict[str, Any]]
MAX_AHEAD = 120 * 24 * 3600
PER_CHANNEL, PER_WINDOW = 30, 300


def _now(emu: EmulatedWorkspace) -> float:
    clock = getattr(emu, "scheduled_clock", None)
    return float(clock()) if callable(clock) else time.time()


def _queue(emu: EmulatedWorkspace) -> dict[str, dict[str, Any]]:
    found = getattr(emu, "_scheduled", None)
    if found is None:
        found = {}
        emu._scheduled = found  # type: ignore[attr-defined]
    return found


def post_due(emu: EmulatedWorkspace) -> int:
    """Post every scheduled message whose time has come, oldest first; how many."""
    queue, now = _queue(emu), _now(emu)
    due = sorted((m for m in queue.values() if m["post_at"] <= now), key=lambda m: m["post_at"])
    for message in due:
        del queue[message["id"]]
        fields = {k: message[k] for k in ("text", "blocks", "thread_ts") if message.get(k)}
        emu._store_message(message["channel_id"], fields, emu._bot_author())
    return len(due)


def scheduled_messages(emu: EmulatedWorkspace, channel: str | None = None) -> list[dict[str, Any]]:
    """What is scheduled and not yet posted (in `channel`, a channel ID), soonest first, as
    chat.scheduledMessages.list shows it."""
    post_due(emu)
    return list(_list(emu, {"channel": channel} if channel else {})["scheduled_messages"])


def _schedule(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    if not (args.get("text") or args.get("blocks") or args.get("attachments")):
        raise ApiError("no_text")
    try:
        post_at = int(float(args.get("post_at", "")))
    except (TypeError, ValueError):
        raise ApiError("invalid_time") from None
    now = _now(emu)
    if post_at <= now:
        raise ApiError("time_in_past")
    if post_at > now + MAX_AHEAD:
        raise ApiError("time_too_far")
    channel = emu._resolve_channel(str(args.get("channel", "")))
    queue = _queue(emu)
    near = [
        m
        for m in queue.values()
        if m["channel_id"] == channel and abs(m["post_at"] - post_at) < PER_WINDOW
    ]
    if len(near) >= PER_CHANNEL:
        raise ApiError("restricted_too_many")
    message_id = emu._next_id("Q")
    queue[message_id] = {
        "id": message_id,
        "channel_id": channel,
        "post_at": post_at,
        "date_created": int(now),
        "text": args.get("text") or "",
        **{k: args[k] for k in ("blocks", "thread_ts") if args.get(k)},
    }  # no metadata: Slack does not keep it on scheduled messages
    shown = {"type": "delayed_message", "text": args.get("text") or "", "bot_id": "B0BOT"}
    return {
        "channel": channel,
        "scheduled_message_id": message_id,
        "post_at": post_at,
        "message": shown,
    }


def _delete(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    queue = _queue(emu)
    message_id = str(args.get("scheduled_message_id", ""))
    found = queue.get(message_id)
    if found is None:
        raise ApiError("invalid_scheduled_message_id")
    if args.get("channel") and emu._resolve_channel(str(args["channel"])) != found["channel_id"]:
        raise ApiError("channel_not_found")
    del queue[message_id]
    return {}


def _list(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = emu._resolve_channel(str(args["channel"])) if args.get("channel") else None
    oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or 1e12)
    limit = int(args.get("limit") or 100)
    shown = [
        {k: m[k] for k in ("id", "channel_id", "post_at", "date_created", "text")}
        for m in sorted(_queue(emu).values(), key=lambda m: m["post_at"])
        if (channel is None or m["channel_id"] == channel) and oldest <= m["post_at"] <= latest
    ]
    return {"scheduled_messages": shown[:limit], "response_metadata": {"next_cursor": ""}}


SCHEDULED: dict[str, ScheduledHandler] = {
    "chat.scheduleMessage": _schedule,
    "chat.deleteScheduledMessage": _delete,
    "chat.scheduledMessages.list": _list,
}


def with_scheduled(handlers: dict[str, ScheduledHandler]) -> dict[str, ScheduledHandler]:
    """`handlers` plus the scheduled-message methods; every call first posts what is due."""

    def posting_first(handler: ScheduledHandler) -> ScheduledHandler:
        def handle(emu: EmulatedWorkspace, args: dict[str, Any]) -> dict[str, Any]:
            post_due(emu)
            return handler(emu, args)

        return handle

    return {name: posting_first(h) for name, h in {**handlers, **SCHEDULED}.items()}
