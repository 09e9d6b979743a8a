"""Parsing of command text: subcommands, mentions, channels, dates.

Slack sends mentions as `<@U0123ABC|name>` or `<@U0123ABC>` and channels as
`<#C0123ABC|name>` or `<#C0123ABC>`; plain IDs are accepted too.
"""

from __future__ import annotations

import re
from datetime import date

from domain.errors import UsageError

MAX_TEXT = 2000

_USER = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$|^([UW][A-Z0-9]{2,})$")
_CHANNEL = re.compile(r"^<#([CGD][A-Z0-9]{2,})(?:\|[^>]*)?>$|^([CGD][A-Z0-9]{2,})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def split_command(text: str, usage: str) -> tuple[str, str]:
    """The first word (lower-cased) and the rest; refuses text past MAX_TEXT characters."""
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise UsageError("error.too_long", usage=usage, length=len(text), limit=MAX_TEXT)
    head, _, rest = text.partition(" ")
    return head.lower(), rest.strip()


def parse_user(token: str, usage: str | None = None) -> str:
    """A user ID from a mention or a plain ID."""
    match = _USER.match(token.strip())
    if not match:
        raise UsageError("error.bad_user", usage=usage, text=token)
    return match.group(1) or match.group(2)


def is_user(token: str) -> bool:
    """Whether the token is a user mention or ID."""
    return bool(_USER.match(token.strip()))


def parse_channel(token: str, usage: str | None = None) -> str:
    """A channel ID from a channel reference or a plain ID."""
    match = _CHANNEL.match(token.strip())
    if not match:
        raise UsageError("error.bad_channel", usage=usage, text=token)
    return match.group(1) or match.group(2)


def parse_date(token: str, usage: str | None = None) -> date:
    """A date written YYYY-MM-DD."""
    token = token.strip()
    if not _DATE.match(token):
        raise UsageError("error.bad_date", usage=usage, text=token)
    try:
        return date.fromisoformat(token)
    except ValueError:
        raise UsageError("error.bad_date", usage=usage, text=token) from None
