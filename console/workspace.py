"""The shell's workspace: people, channels and numbered messages, by the names typed."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from console.render import Names
from slack_emulator import BOT_USER_ID, SlackEmulator

TEAM = "T0001"
_MENTION = re.compile(r"(?<![\w<@#&|/])([@#])(\w[\w.\-]*)")
_BROADCAST = ("here", "channel", "everyone")


class ShellError(Exception):
    """A mistake in the shell input: printed as one line, the shell carries on."""


@dataclass
class Person:
    """A shell user, mirrored in the emulator."""

    name: str
    user_id: str
    locale: str = "en-US"
    is_admin: bool = False

    def describe(self) -> str:
        """`@name`, with ` (a workspace admin)` for admins."""
        return f"@{self.name}" + (" (a workspace admin)" if self.is_admin else "")


def _slug_id(prefix: str, name: str, taken: set[str]) -> str:
    """`U` + upper-cased name, sanitised; a hash for names with no ASCII letters."""
    core = re.sub(r"[^A-Z0-9]", "", name.upper())
    core = core or hashlib.sha1(name.encode()).hexdigest()[:8].upper()
    candidate, n = prefix + core, 1
    while candidate in taken or candidate == BOT_USER_ID:
        n += 1
        candidate = f"{prefix}{core}{n}"
    return candidate


class Workspace:
    """The shell's people and channels by name, created in the emulator on first mention."""

    def __init__(self, emulator: SlackEmulator) -> None:
        self.emulator = emulator
        self.people: dict[str, Person] = {}
        self.channels: dict[str, str] = {}  # name -> ID
        self.messages: list[tuple[str, str]] = []  # numbered messages: (channel ID, ts)

    def person(self, name: str, *, is_admin: bool = False) -> Person:
        """The shell user called `name` (without @), created when new."""
        name = name.lstrip("@").strip().lower()
        if not re.fullmatch(r"[\w.\-]+", name):
            raise ShellError(f"{name!r} is not a user name (letters, digits, . _ -)")
        if name not in self.people:
            taken = {p.user_id for p in self.people.values()}
            person = Person(name, _slug_id("U", name, taken), is_admin=is_admin)
            self.emulator.add_user(person.user_id, name, is_admin=is_admin)
            self.people[name] = person
        return self.people[name]

    def channel(self, name: str) -> str:
        """The ID of channel `name` (without #), created when new."""
        name = name.lstrip("#").strip().lower()
        if not re.fullmatch(r"[\w.\-]+", name):
            raise ShellError(f"{name!r} is not a channel name")
        if name not in self.channels:
            self.channels[name] = _slug_id("C", name, set(self.channels.values()))
            self.emulator.add_channel(self.channels[name], name)
        return self.channels[name]

    def names(self) -> Names:
        """IDs back to shell names, for rendering."""
        users = {p.user_id: p.name for p in self.people.values()}
        return Names(users, {cid: name for name, cid in self.channels.items()})

    def by_id(self, user_id: str) -> Person | None:
        """The shell user with this Slack ID."""
        return next((p for p in self.people.values() if p.user_id == user_id), None)

    def escape(self, text: str) -> str:
        """Typed text as Slack sends it with escaping on: `@alice` → `<@UALICE|alice>`."""

        def mention(match: re.Match[str]) -> str:
            sigil, name = match.group(1), match.group(2).rstrip(".-")
            rest = match.group(2)[len(name) :]
            if sigil == "@" and name.lower() in _BROADCAST:
                return f"<!{name.lower()}>{rest}"
            if sigil == "@":
                return f"<@{self.person(name).user_id}|{name.lower()}>{rest}"
            if not name[0].isalpha():  # `#12` is an issue number, not a channel
                return match.group(0)
            return f"<#{self.channel(name)}|{name.lower()}>{rest}"

        return _MENTION.sub(mention, text)

    def number(self, channel: str, ts: str) -> int:
        """The shell number of a message, numbering it when new."""
        if (channel, ts) not in self.messages:
            self.messages.append((channel, ts))
        return self.messages.index((channel, ts)) + 1

    def message(self, number_text: str) -> tuple[str, dict[str, Any]]:
        """Message N as (channel ID, stored message)."""
        digits = number_text.removeprefix("message").strip()
        if not digits.isdigit() or not 1 <= int(digits) <= len(self.messages):
            raise ShellError(f"No message {number_text!r}; messages are 1..{len(self.messages)}")
        channel, ts = self.messages[int(digits) - 1]
        stored = next((m for m in self.emulator.messages(channel) if m["ts"] == ts), None)
        if stored is None:
            raise ShellError(f"Message {digits} was deleted")
        return channel, stored
