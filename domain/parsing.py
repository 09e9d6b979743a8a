"""Parsing of command text: subcommands, mentions, channels, dates.

Slack sends mentions as `<@U0123ABC|name>` or `<@U0123ABC>` and channels as
`<#C0123ABC|name>` or `<#C0123ABC>`; plain IDs are accepted too.

This is the edge where people's text comes in, so it is checked here the same way whatever
database is behind: IDs no longer than the store's ID columns, no control characters (NUL
and friends are stored by SQLite but refused by PostgreSQL), lengths capped by `check_text`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from domain.errors import UsageError

MAX_TEXT = 2000
# Slack's IDs are 9 to 11 characters today and may grow; the store's ID columns hold 32.
ID_LIMIT = 32
SHOWN = 40  # of a token that could not be read, echoed back in the error

_ID_TAIL = rf"[A-Z0-9]{{2,{ID_LIMIT - 1}}}"
_USER = re.compile(rf"^<@([UW]{_ID_TAIL})(?:\|[^>]*)?>$|^([UW]{_ID_TAIL})$")
_CHANNEL = re.compile(rf"^<#([CGD]{_ID_TAIL})(?:\|[^>]*)?>$|^([CGD]{_ID_TAIL})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KEPT_CONTROLS = frozenset("\n\r\t")


def has_control(text: str) -> bool:
    """Whether text holds a character no one types: a control other than line breaks and
    tabs (NUL included), or half of a surrogate pair (which no database can encode)."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in _KEPT_CONTROLS for ch in text)


def check_text(text: str, *, usage: str | None, limit: int, key: str = "error.too_long") -> str:
    """Text as typed, refused with a usage message when too long or holding control
    characters: the one check every stored piece of people's text goes through."""
    if has_control(text):
        raise UsageError("error.control_character", usage=usage)
    if len(text) > limit:
        raise UsageError(key, usage=usage, length=len(text), limit=limit)
    return text


def plain(text: str, limit: int) -> str:
    """Text from a message (which nobody can correct now): control characters dropped and
    cut to `limit`, so that it passes `check_text`."""
    if has_control(text):
        text = "".join(
            ch
            for ch in text
            if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs")
        )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_command(text: str, usage: str) -> tuple[str, str]:
    """The first word (lower-cased) and the rest; refuses text past MAX_TEXT characters
    or holding control characters."""
    text = check_text((text or "").strip(), usage=usage, limit=MAX_TEXT)
    head, _, rest = text.partition(" ")
    return head.lower(), rest.strip()


def _shown(token: str) -> str:
    return token if len(token) <= SHOWN else token[: SHOWN - 1] + "…"


def parse_user(token: str, usage: str | None = None) -> str:
    """A user ID from a mention or a plain ID."""
    match = _USER.match(token.strip())
    if not match:
        raise UsageError("error.bad_user", usage=usage, text=_shown(token))
    return match.group(1) or match.group(2)


def is_user(token: str) -> bool:
    """Whether the token is a user mention or ID."""
    return bool(_USER.match(token.strip()))


def parse_channel(token: str, usage: str | None = None) -> str:
    """A channel ID from a channel reference or a plain ID."""
    match = _CHANNEL.match(token.strip())
    if not match:
        raise UsageError("error.bad_channel", usage=usage, text=_shown(token))
    return match.group(1) or match.group(2)


def is_channel(token: str) -> bool:
    """Whether the token is a channel reference or ID."""
    return bool(_CHANNEL.match(token.strip()))


def parse_date(token: str, usage: str | None = None) -> date:
    """A date written YYYY-MM-DD."""
    token = token.strip()
    if not _DATE.match(token):
        raise UsageError("error.bad_date", usage=usage, text=token)
    try:
        return date.fromisoformat(token)
    except ValueError:
        raise UsageError("error.bad_date", usage=usage, text=token) from None
