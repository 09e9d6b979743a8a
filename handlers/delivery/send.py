"""One delivery's Web API calls: the send itself, and the look for a copy Slack may already
have posted when an earlier try ended without an answer."""

from __future__ import annotations

import urllib.error
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from domain.delivery import DM, Verdict, carries, classify, retry_after

# How far back a retry looks for its own earlier copy: the newest messages of the channel
# (or of the thread). A retry comes seconds to minutes after the lost answer, so its copy,
# if any, is among them unless the channel is very busy (the residual risk).
LOOKBACK = 100


@dataclass(frozen=True)
class Outcome:
    """What one call came to: sent (with where the message is), or a verdict on why not."""

    verdict: Verdict | None = None
    reason: str = ""
    channel: str | None = None
    ts: str | None = None
    retry_after: float = 0.0
    scheduled_id: str | None = None  # chat.scheduleMessage's scheduled_message_id

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.verdict is None


def call(
    client: WebClient, method: str, args: dict[str, Any], *, form: bool = False
) -> tuple[Outcome, dict[str, Any]]:
    """Make one Web API call without retrying; the outcome, and Slack's answer when it came.

    Writes go as JSON (blocks, metadata); reads as a form, which every method accepts."""
    try:
        answer = client.api_call(method, data=args) if form else client.api_call(method, json=args)
    except SlackApiError as error:
        response = error.response
        data = response.data if isinstance(response.data, dict) else {}
        code = data.get("error")
        status = response.status_code
        wait = retry_after(_header(response.headers, "Retry-After"))
        verdict = classify(status, code)
        return Outcome(verdict, code or f"http_{status}", retry_after=wait), {}
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Outcome(_transport_verdict(error), _transport_reason(error)), {}
    data = answer.data if isinstance(answer.data, dict) else {}
    ts = data.get("ts") or data.get("message_ts")
    channel = data.get("channel") or args.get("channel")
    scheduled = data.get("scheduled_message_id")
    return Outcome(
        channel=str(channel) if channel else None,
        ts=str(ts) if ts else None,
        scheduled_id=str(scheduled) if scheduled else None,
    ), data


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers or {}).items():
        if key.lower() == name.lower():
            return str(value[0] if isinstance(value, list) else value)
    return None


def _refused(error: BaseException) -> bool:
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    return isinstance(reason, ConnectionRefusedError)


def _transport_verdict(error: BaseException) -> Verdict:
    # A refused connection never reached Slack; a timeout or a connection dropped after the
    # request went out may have been acted upon.
    return Verdict.RETRY if _refused(error) else Verdict.AMBIGUOUS


def _transport_reason(error: BaseException) -> str:
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    return f"{type(reason).__name__}: {reason}"[:200]


def _dm_channel(client: WebClient, channel: str) -> tuple[Outcome, str]:
    """The DM channel's ID for a user ID (conversations.open); other channels as they are."""
    if not channel.startswith(("U", "W")):
        return Outcome(), channel
    opened, data = call(client, "conversations.open", {"users": channel}, form=True)
    return opened, str((data.get("channel") or {}).get("id") or channel)


def _block_ids(blocks: Any) -> set[str]:
    return {str(b["block_id"]) for b in blocks or [] if isinstance(b, dict) and b.get("block_id")}


def _same_message(message: dict[str, Any], text: str, block_ids: set[str]) -> bool:
    """Whether a posted message is ours: our blocks' IDs (a prompt's names its occurrence),
    or for a message without any, the same text."""
    if block_ids:
        return block_ids <= _block_ids(message.get("blocks"))
    return message.get("text") == text


def find_scheduled(
    client: WebClient, channel: str, post_at: int, args: dict[str, Any]
) -> tuple[Outcome, tuple[str, str | None, str | None] | None]:
    """Look for the copy an earlier try may have made of a DM scheduled for `post_at`:
    still scheduled (chat.scheduledMessages.list, which shows only the time and the text:
    a prompt's text names its schedule's channel, so two prompts for the same moment
    differ), or
    already posted (the bot's newest messages in the DM, matched by their blocks' IDs).
    Scheduled messages carry no metadata for `carries` to find. The outcome of the look,
    and (channel, ts, scheduled_message_id) when found."""
    text, wanted = str(args.get("text") or ""), _block_ids(args.get("blocks"))
    opened, channel = _dm_channel(client, channel)
    if not opened.ok:
        return opened, None
    window = {"channel": channel, "oldest": post_at - 1, "latest": post_at + 1, "limit": 100}
    looked, data = call(client, "chat.scheduledMessages.list", window, form=True)
    if not looked.ok:
        return looked, None
    for message in data.get("scheduled_messages") or []:
        if int(message.get("post_at") or 0) == post_at and message.get("text") == text:
            return looked, (channel, None, str(message["id"]))
    history = {"channel": channel, "limit": LOOKBACK}
    looked, data = call(client, "conversations.history", history, form=True)
    if not looked.ok:
        return looked, None
    for message in data.get("messages") or []:
        if message.get("bot_id") and _same_message(message, text, wanted):
            return looked, (channel, str(message["ts"]), None)
    return looked, None


def find_thread(client: WebClient, channel: str, block_id: str) -> str | None:
    """The ts of the message holding block `block_id` among the newest of `channel` (a
    scheduled prompt, whose ts Slack never told us); None when not found or not looked."""
    args = {"channel": channel, "limit": LOOKBACK}
    looked, data = call(client, "conversations.history", args, form=True)
    if not looked.ok:
        return None
    for message in data.get("messages") or []:
        if block_id in _block_ids(message.get("blocks")):
            return str(message["ts"])
    return None


def find_posted(
    client: WebClient, key: str, method: str, channel: str, thread_ts: str | None
) -> tuple[Outcome, tuple[str, str] | None]:
    """Look for a message carrying delivery `key` among the newest of its channel (or
    thread). The outcome of the look itself, and (channel, ts) when the copy was found."""
    if method == DM:
        opened, channel = _dm_channel(client, channel)
        if not opened.ok:
            return opened, None
    args: dict[str, Any] = {"channel": channel, "include_all_metadata": "true", "limit": LOOKBACK}
    if thread_ts:
        looked, data = call(client, "conversations.replies", {**args, "ts": thread_ts}, form=True)
    else:
        looked, data = call(client, "conversations.history", args, form=True)
    if not looked.ok:
        return looked, None
    for message in data.get("messages") or []:
        if carries(message, key):
            return looked, (channel, str(message["ts"]))
    return looked, None
