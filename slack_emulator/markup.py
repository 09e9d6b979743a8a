"""Text as Slack sends it: `&`, `<` and `>` as entities, except in Slack's own markup tokens.

Slack does this to message text (events, conversations.history) and to slash-command text,
so the emulator's messages and the payload builders' commands are encoded the same way.
"""

from __future__ import annotations

import re

_MARKUP = re.compile(r"<(?:[@#!]|https?://|mailto:)[^<>]*>")


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_encoded(text: str) -> str:
    """Human text as Slack stores it: entities for `&<>` outside its markup tokens."""
    parts: list[str] = []
    end = 0
    for match in _MARKUP.finditer(text):
        parts += [_entities(text[end : match.start()]), match.group(0)]
        end = match.end()
    parts.append(_entities(text[end:]))
    return "".join(parts)
