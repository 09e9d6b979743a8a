"""The shell's workspace (people, channels, numbered messages) and its typed commands."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot import slack_payloads as payloads
from bot.shell_render import Names, field_state, modal_fields, view_title
from bot.slack_emulator import BOT_USER_ID, SlackEmulator

if TYPE_CHECKING:
    from bot.shell import Session

TEAM = "T0001"
_MENTION = re.compile(r"(?<![\w<@#&|/])([@#])(\w[\w.\-]*)")
_BROADCAST = ("here", "channel", "everyone")
_DELTA = re.compile(r"^([+-])(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class ShellError(Exception):
    """A mistake in the shell input: printed as one line, the shell carries on."""


@dataclass
class Person:
    """A shell user, mirrored in the emulator."""

    name: str
    user_id: str
    locale: str = "en-US"
    is_admin: bool = False


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


def parse_clock(text: str) -> timedelta | datetime:
    """`+2h`/`-3d` → a delta; an ISO-8601 instant (UTC when naive) → an instant."""
    if match := _DELTA.match(text.strip()):
        sign, amount, unit = match.groups()
        delta = timedelta(**{_UNITS[unit]: int(amount)})
        return delta if sign == "+" else -delta
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ShellError("clock takes +30m, +2h, +3d, +1w or 2026-12-01T09:00") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def split_assignments(text: str) -> list[tuple[str, str]]:
    """`a=1; b=x\\;y` → [("a", "1"), ("b", "x;y")]: `;` separates, `\\;` is a literal one."""
    pairs = []
    for part in re.split(r"(?<!\\);", text):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ShellError(f"{part.strip()!r}: write field=value")
        pairs.append((key.strip(), value.strip().replace("\\;", ";")))
    return pairs


# --- commands: (session, rest of the line) -> None --------------------------------------------
def slash(s: Session, line: str) -> None:
    """`/command text` as the current user, in the current channel."""
    command, _, text = line.partition(" ")
    where = s.ephemeral_here()
    body = payloads.slash_command(
        team_id=TEAM,
        user_id=s.me.user_id,
        user_name=s.me.name,
        command=command.lower(),
        text=s.workspace.escape(text.strip()),
        channel_id=s.here,
        channel_name=s.workspace.names().channels.get(s.here),
        response_url=s.response_url(where),
    )
    s.show_body(s.dispatch(body), where)


def press(s: Session, rest: str) -> None:
    """Press button N of the latest printed buttons."""
    if not rest.strip().isdigit() or not 1 <= int(rest) <= len(s.buttons):
        shown = f"1..{len(s.buttons)}" if s.buttons else "none are shown"
        raise ShellError(f"There is no button {rest.strip() or '?'} (buttons: {shown})")
    button, where = s.buttons[int(rest) - 1]
    message = s.refreshed(where)
    text = {"type": "plain_text", "text": button.text, "emoji": True}
    body = payloads.block_actions(
        team_id=TEAM,
        user_id=s.me.user_id,
        user_name=s.me.name,
        action_id=button.action_id,
        value=button.value,
        block_id=button.block_id,
        response_url=None if where.kind == "view" else s.response_url(where),
        channel_id=where.channel,
        message=message,
        view=where.view,
        action={"text": text, **({"url": button.url} if button.url else {})},
    )
    s.dispatch(body)


def _resolver(s: Session) -> Callable[[str, str], str]:
    def resolve(kind: str, name: str) -> str:
        if kind == "user":
            return s.workspace.person(name).user_id
        return s.workspace.channel(name)

    return resolve


def _values(s: Session, view: dict[str, Any], rest: str) -> dict[str, dict[str, Any]]:
    """`state.values` for the modal from `field=value; …` (block ID, action ID, label or N)."""
    fields = modal_fields(view)
    typed: dict[int, str] = {}
    for key, value in split_assignments(rest):
        wanted = key.casefold()
        index = next(
            (
                i
                for i, f in enumerate(fields)
                if wanted in (str(i + 1), f.block_id.casefold(), f.action_id.casefold())
                or wanted == f.label.casefold()
            ),
            None,
        )
        if index is None:
            known = ", ".join(f.block_id for f in fields) or "none"
            raise ShellError(f"The modal has no field {key!r} (fields: {known})")
        typed[index] = value
    values: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(fields):
        try:
            state = field_state(item, typed.get(i), _resolver(s))
        except ValueError as error:
            raise ShellError(str(error)) from None
        if not item.optional and not any(v for k, v in state.items() if k != "type"):
            raise ShellError(f"{item.label} is required ({item.block_id}=…)")
        values.setdefault(item.block_id, {})[item.action_id] = state
    return values


def submit(s: Session, rest: str) -> None:
    """Submit the open modal: `submit title=Export crashes; severity=high`."""
    if not s.modals:
        raise ShellError("No modal is open")
    view = s.modals[-1]
    body = payloads.view_submission(
        team_id=TEAM,
        user_id=s.me.user_id,
        user_name=s.me.name,
        callback_id=str(view.get("callback_id", "")),
        values=_values(s, view, rest),
        view=view,
    )
    answer = s.dispatch(body)
    action = answer.get("response_action")
    if action == "errors":
        for block_id, error in (answer.get("errors") or {}).items():
            s.print(f"[modal error] {block_id}: {error}")
        return
    if action in ("update", "push"):
        new = {**answer.get("view", {}), "id": view["id"] if action == "update" else "VPUSHED"}
        s.modals[-1:] = [new] if action == "update" else [view, new]
        s.show_modal(f"modal: {view_title(new)}", new)
        return
    s.modals[:] = [] if action == "clear" else s.modals[:-1]
    s.print(f"(modal “{view_title(view)}” closed)")


def cancel(s: Session, rest: str) -> None:
    """Close the open modal without submitting."""
    if not s.modals:
        raise ShellError("No modal is open")
    view = s.modals.pop()
    s.print(f"(modal “{view_title(view)}” closed)")


def say(s: Session, rest: str) -> None:
    """`say #channel text`: a message from the current user (no #channel: the current one)."""
    target, _, text = rest.partition(" ")
    if not target.startswith("#"):
        target, text = "", rest
    if not text.strip():
        raise ShellError("Usage: say #channel text")
    channel = s.workspace.channel(target) if target else s.here
    ts = s.emulator.post_user_message(channel, s.me.user_id, s.workspace.escape(text.strip()))
    number = s.workspace.number(channel, ts)
    s.print(f"[{s.place(channel)}, message {number}] @{s.me.name}: {text.strip()}")


def react(s: Session, rest: str) -> None:
    """`react eyes 1`: a reaction_added event on message 1."""
    emoji, _, which = rest.partition(" ")
    if not emoji or not which:
        raise ShellError("Usage: react <emoji> <message number>")
    channel, message = s.workspace.message(which)
    event = payloads.reaction_added(
        user_id=s.me.user_id,
        reaction=emoji.strip(":"),
        channel_id=channel,
        message_ts=message["ts"],
        item_user=str(message.get("user", "")),
    )
    if s.deliver_event(event) == 404:
        s.print("(the app has no listener for that)")


def shortcut(s: Session, rest: str) -> None:
    """`shortcut log_customer_issue 1`: a message shortcut on message 1."""
    callback_id, _, which = rest.partition(" ")
    if not callback_id or not which:
        raise ShellError("Usage: shortcut <callback_id> <message number>")
    channel, message = s.workspace.message(which)
    body = payloads.message_shortcut(
        team_id=TEAM,
        user_id=s.me.user_id,
        user_name=s.me.name,
        callback_id=callback_id,
        channel_id=channel,
        message=message,
        response_url=s.response_url(s.ephemeral_here(channel)),
    )
    s.show_body(s.dispatch(body), s.ephemeral_here(channel))


def as_user(s: Session, rest: str) -> None:
    """Become another shell user (created when new)."""
    if not rest.strip():
        raise ShellError("Usage: as NAME")
    s.me = s.workspace.person(rest.strip())
    s.print(f"You are now @{s.me.name}{' (a workspace admin)' if s.me.is_admin else ''}.")


def in_channel(s: Session, rest: str) -> None:
    """Type slash commands in another channel."""
    if not rest.strip():
        raise ShellError("Usage: in #channel")
    s.here = s.workspace.channel(rest.strip())
    s.print(f"Slash commands now run in {s.place(s.here)}.")


def users(s: Session, rest: str) -> None:
    """List the shell users."""
    for person in s.workspace.people.values():
        notes = [person.user_id, person.locale] + (["admin"] if person.is_admin else [])
        you = "  ← you" if person is s.me else ""
        s.print(f"@{person.name} ({', '.join(notes)}){you}")


def locale(s: Session, rest: str) -> None:
    """`locale alice zh-CN`: change a user's Slack locale and tell the app (user_change)."""
    name, _, value = rest.strip().partition(" ")
    if not name or not re.fullmatch(r"[a-z]{2}(-[A-Za-z]{2,4})?", value.strip()):
        raise ShellError("Usage: locale NAME en-US|zh-CN|…")
    person = s.workspace.person(name)
    person.locale = value.strip()
    s.emulator.set_user(person.user_id, locale=person.locale)
    user = s.relay.users_info(user=person.user_id, include_locale=True)["user"]
    if s.deliver_event(payloads.user_change(user=user)) != 200:
        # No user_change listener (yet): store the profile as that listener would.
        from handlers.users import UserDirectory

        UserDirectory(s.deps, s.client).store(TEAM, user)
    s.print(f"@{person.name}'s Slack locale is now {person.locale}.")


def clock(s: Session, rest: str) -> None:
    """Show the clock, move it (`+2h`, `-1d`) or set it (`2026-12-01T09:00`)."""
    if rest.strip():
        moved = parse_clock(rest)
        if isinstance(moved, timedelta):
            s.deps.clock.advance(moved)
        else:
            s.deps.clock.set(moved)
    s.print(f"Clock: {s.deps.now().isoformat(timespec='minutes')}")


def tick(s: Session, rest: str) -> None:
    """Run the scheduled work due now (on the shell's clock)."""
    from bot.scheduler import run_due

    done = run_due(s.deps, s.client, s.deps.now())
    s.finish()
    summary = ", ".join(f"{name}: {n}" for name, n in done.items() if n) or "nothing was due"
    s.print(f"(tick at {s.deps.now().isoformat(timespec='minutes')}: {summary})")


HELP = """\
Type what you would type in Slack, as the current user in the current channel:
  /owner roadmap, /role assign @alice pm, /rolecall config …   any slash command
  (@name and #name are people and channels; they are created on first mention)
Then:
  press N                     press button N of the latest buttons shown
  submit field=value; …       submit the open modal (field: block ID, action ID, label or
                              number; selects take an option's value or label, several
                              values are comma-separated, \\; is a literal ;)
  cancel                      close the open modal
  say [#channel] text         post a message as you; it gets a number
  react EMOJI N               react to message N (a reaction_added event)
  shortcut CALLBACK_ID N      a message shortcut on message N
  as NAME / users / in #channel / locale NAME zh-CN
  clock / clock +2h / clock +3d / clock 2026-12-01T09:00 / tick
  help / quit"""
SHORT_HELP = (
    "Type a slash command (/owner roadmap) or one of: press, submit, cancel, say, react, "
    "shortcut, as, users, in, locale, clock, tick, help, quit."
)
COMMANDS: dict[str, Callable[[Session, str], None]] = {
    "press": press,
    "submit": submit,
    "cancel": cancel,
    "say": say,
    "react": react,
    "shortcut": shortcut,
    "as": as_user,
    "in": in_channel,
    "users": users,
    "locale": locale,
    "clock": clock,
    "tick": tick,
    "help": lambda s, rest: s.print(HELP),
}


def handle(s: Session, line: str) -> None:
    """Run one input line; the bot's follow-ups are printed afterwards."""
    s.fresh = []
    if line.startswith("/"):
        slash(s, line)
    else:
        word, _, rest = line.partition(" ")
        command = COMMANDS.get(word.lower())
        if command is None:
            s.print(f"Unknown command {word!r}. {SHORT_HELP}")
            return
        command(s, rest.strip())
    s.finish()
