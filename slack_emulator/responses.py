"""response_url semantics as Slack applies them (docs.slack.dev "Handling user interaction").

A response_url belongs to the request that carried it: a slash command, a click on a channel
message, a click on an ephemeral message, a shortcut. It takes up to 5 posts within 30
minutes. What a post does depends on where it came from:
- `delete_original: true` deletes the message the click was on, and nothing else: the rest of
  the body is ignored, so delete is sent alone;
- `replace_original: true` replaces that message; a slash command's own ephemeral answer
  cannot be replaced (slackapi/bolt-python#1268): after a command the post is a new message;
- otherwise it is a new message: `in_channel` for everyone, else ephemeral for the user.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from slack_emulator.blocks import Refusal, check_message
from slack_emulator.state import EmulatedWorkspace

MAX_POSTS = 5
LIFETIME = 30 * 60.0  # seconds
# Kinds of origin: what the response_url was handed out with.
COMMAND, MESSAGE, EPHEMERAL, SHORTCUT = "command", "message", "ephemeral", "shortcut"
# Effects of a post, recorded on ResponsePost.effect.
NEW_EPHEMERAL, NEW_IN_CHANNEL, REPLACED, DELETED, IGNORED = (
    "ephemeral",
    "in_channel",
    "replaced",
    "deleted",
    "ignored",
)


@dataclass
class Origin:
    """What a response_url answers: its kind, channel, user and (for a click) the message."""

    kind: str = COMMAND
    channel: str | None = None
    user: str | None = None
    message_ts: str | None = None
    issued: float = field(default_factory=time.monotonic)
    posts: int = 0
    expired: bool = False


@dataclass(frozen=True)
class Outcome:
    """What a post did: its effect, the ts of a message it stored, and what Slack ignored."""

    effect: str
    ts: str | None = None
    ignored: tuple[str, ...] = ()


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def usable(origin: Origin) -> str | None:
    """Slack's refusal of one more post to this response_url (None: it may be used)."""
    if origin.expired or time.monotonic() - origin.issued > LIFETIME:
        return "expired_url"
    if origin.posts >= MAX_POSTS:
        return "used_url"
    return None


def _content(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in ("text", "blocks", "attachments") if body.get(k)}


def check(body: dict[str, Any]) -> Refusal | None:
    """What Slack refuses in a response_url body (a lone delete needs no content)."""
    if _truthy(body.get("delete_original")):
        return None
    return check_message(body)


def apply(emu: EmulatedWorkspace, origin: Origin, body: dict[str, Any]) -> Outcome:
    """Do what Slack does with a post to `origin`'s response_url (the lock is held)."""
    content = _content(body)
    if _truthy(body.get("delete_original")):
        ignored = tuple(sorted(content)) + (("response_type",) if body.get("response_type") else ())
        if origin.kind == MESSAGE and origin.channel and origin.message_ts:
            emu._delete_message(origin.channel, origin.message_ts)
            return Outcome(DELETED, origin.message_ts, ignored)
        if origin.kind == EPHEMERAL:
            return Outcome(DELETED, None, ignored)
        return Outcome(IGNORED, None, ("delete_original", *ignored))
    if _truthy(body.get("replace_original")):
        if origin.kind == MESSAGE and origin.channel and origin.message_ts:
            emu._replace_message(origin.channel, origin.message_ts, content)
            return Outcome(REPLACED, origin.message_ts)
        if origin.kind == EPHEMERAL:
            emu._add_ephemeral(origin.channel, origin.user, content)
            return Outcome(REPLACED)
    ignored = ("replace_original",) if _truthy(body.get("replace_original")) else ()
    if body.get("response_type") == "in_channel" and origin.channel:
        author = emu._bot_author()
        msg = emu._store_message(origin.channel, content, author)
        return Outcome(NEW_IN_CHANNEL, str(msg["ts"]), ignored)
    ts = emu._add_ephemeral(origin.channel, origin.user, content)
    return Outcome(NEW_EPHEMERAL, ts, ignored)
