"""Slack mrkdwn: escaping user text and referring to people and channels."""

from __future__ import annotations

import re

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
ZWSP = "\u200b"


def escape(text: str) -> str:
    """User text made inert: no `<!channel>`, `<@U…>` or link can be smuggled through.

    `&`, `<` and `>` are the only characters Slack's mrkdwn treats as control characters;
    a zero-width space also breaks a bare `@channel`/`@here` so nothing pings anyone.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + ZWSP + m.group(1), text)


_REFERENCE = re.compile(r"<([@#])([A-Z0-9]{2,})(?:\|[^<>]*)?>")


def escape_keeping_references(text: str) -> str:
    """Like `escape`, but a person or channel reference Slack put in the text (`<@U…|bob>`,
    `<#C…|general>`) stays a reference, so an error about it reads "@bob", not markup."""
    parts, last = [], 0
    for match in _REFERENCE.finditer(text):
        parts += [escape(text[last : match.start()]), f"<{match.group(1)}{match.group(2)}>"]
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when cut (Block Kit rejects longer)."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def user(user_id: str) -> str:
    """A mention of a person."""
    return f"<@{user_id}>"


def channel(channel_id: str) -> str:
    """A link to a channel."""
    return f"<#{channel_id}>"
