"""Slack message markup as a person reads it: `<@U1|bob> &gt; 10MB` → `@bob > 10MB`.

Slack sends message text with mentions, channel links, broadcasts and links as `<…>` tokens
and `&`, `<`, `>` as entities. Text filed from a message is stored readable, so cards, lists,
search and DMs show what people saw (display escaping is `handlers.mrkdwn.escape`'s job).
Slash-command text is encoded the same way; `decode_command_text` decodes it once, before
any listener parses it, keeping the tokens (`<@U1|bob>`) that parsers look for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# `<@U1|bob>`, `<#C1>`, `<!here>`, `<https://…|label>`, `<mailto:…>`; other `<…>` is not markup.
_TOKEN = re.compile(r"<((?:[@#!]|[a-zA-Z][\w+.-]*:)[^<>\n]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_BROADCASTS = ("here", "channel", "everyone")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def decoded(text: str) -> str:
    """`&amp;`, `&lt;` and `&gt;` decoded in one pass (so `&amp;lt;` reads `&lt;`)."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def decode_command_text(body: dict[str, Any], next: Callable[[], Any]) -> Any:  # noqa: A002
    """Middleware: a slash command's `text` with its entities decoded (`A&amp;B` → `A&B`)."""
    if isinstance(body.get("command"), str) and isinstance(body.get("text"), str):
        body["text"] = decoded(body["text"])
    return next()


def mentioned_users(text: str) -> list[str]:
    """IDs of the people mentioned without a `|label` (the ones a name lookup is for)."""
    found: list[str] = []
    for match in _TOKEN.finditer(text):
        target, bar, _ = match.group(1).partition("|")
        if target.startswith("@") and not bar and target[1:] not in found:
            found.append(target[1:])
    return found


def readable(text: str, names: Callable[[str], str | None] | None = None) -> str:
    """Slack message markup turned into what a person reads.

    `<@U1|bob>` and `<@U1>` → `@bob` (the label, else `names(U1)`, else `@U1`); `<#C1|general>`
    → `#general`; `<!here>` → `@here`; `<https://x|docs>` → `docs (https://x)`, `<https://x>`
    → `https://x`; entities decoded. Text outside tokens is only decoded.
    """
    parts: list[str] = []
    end = 0
    for match in _TOKEN.finditer(text):
        parts.append(decoded(text[end : match.start()]))
        parts.append(_token(match.group(1), names))
        end = match.end()
    parts.append(decoded(text[end:]))
    return "".join(parts)


def _token(body: str, names: Callable[[str], str | None] | None) -> str:
    target, bar, raw_label = body.partition("|")
    label = decoded(raw_label).strip() if bar else ""
    if target.startswith("@"):
        user_id = target[1:]
        name = label.lstrip("@") or (names(user_id) if names else None) or user_id
        return f"@{name}"
    if target.startswith("#"):
        return f"#{label.lstrip('#') or target[1:]}"
    if target.startswith("!"):
        return _special(target[1:], label)
    url = decoded(target).removeprefix("mailto:")
    if not label or label == url or label == _SCHEME.sub("", url):
        return url  # `<https://x>`, or a link Slack made of a typed address
    return f"{label} ({url})"


def _special(command: str, label: str) -> str:
    """`<!here>`, `<!subteam^S1|@team>`, `<!date^…|fallback>` and the like."""
    if command.lower() in _BROADCASTS:
        return f"@{command.lower()}"
    kind, _, rest = command.partition("^")
    if kind == "subteam":
        return "@" + (label.lstrip("@") or rest)
    if kind == "date":
        return label  # its fallback text
    return label or f"@{kind}"
