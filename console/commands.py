"""The shell's typed commands (modals aside: `shell_modals`) and `handle`, which runs a line."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from console.modals import cancel, submit
from console.session import NO_LISTENER, Session
from console.workspace import TEAM, ShellError
from slack_emulator import payloads

_DELTA = re.compile(r"^([+-])(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


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
        response_url=s.response_url(where, "command"),
    )
    s.show_ack(s.dispatch(body), where)


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
        response_url=None if where.kind == "view" else s.response_url(where, where.kind),
        channel_id=where.channel,
        message=message,
        view=where.view,
        action={"text": text, **({"url": button.url} if button.url else {})},
    )
    s.dispatch(body)


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
        s.print(NO_LISTENER)


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
        response_url=s.response_url(s.ephemeral_here(channel), "shortcut"),
    )
    s.show_ack(s.dispatch(body), s.ephemeral_here(channel), "shortcut")


def home(s: Session, rest: str) -> None:
    """Open your App Home tab: an app_home_opened event as Slack sends it (with the view last
    published for you); what the app then publishes is printed."""
    shown = s.emulator.home_view(s.me.user_id)
    if s.deliver_event(payloads.app_home_opened(user_id=s.me.user_id, view=shown)) == 404:
        s.print(NO_LISTENER)


def as_user(s: Session, rest: str) -> None:
    """Become another shell user (created when new)."""
    if not rest.strip():
        raise ShellError("Usage: as NAME")
    s.me = s.workspace.person(rest.strip())
    s.print(f"You are now {s.me.describe()}.")


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
    if s.deliver_event(payloads.user_change(user=user)) == 404:
        s.print(NO_LISTENER)
    s.print(f"@{person.name}'s Slack locale is now {person.locale}.")


def tz(s: Session, rest: str) -> None:
    """`tz alice Asia/Shanghai`: change a user's Slack time zone and tell the app."""
    name, _, value = rest.strip().partition(" ")
    zone = value.strip()
    if not name or not _is_zone(zone):
        raise ShellError("Usage: tz NAME Asia/Shanghai|America/New_York|…")
    person = s.workspace.person(name)
    s.emulator.set_user(person.user_id, tz=zone, tz_label=zone)
    user = s.relay.users_info(user=person.user_id, include_locale=True)["user"]
    if s.deliver_event(payloads.user_change(user=user)) != 200:
        from handlers.users import UserDirectory

        UserDirectory(s.deps, s.client).store(TEAM, user)
    s.print(f"@{person.name}'s Slack time zone is now {zone}.")


def _is_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return bool(name)


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
    done = s.run_due(s.deps.now())
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
                              values are comma-separated, \\; is a literal ;); a field
                              left out or empty (field=) keeps its prefilled value
  cancel                      close the open modal
  say [#channel] text         post a message as you; it gets a number
  react EMOJI N               react to message N (a reaction_added event)
  shortcut CALLBACK_ID N      a message shortcut on message N
  home                        open your App Home tab (an app_home_opened event)
  as NAME / users / in #channel / locale NAME zh-CN / tz NAME Asia/Shanghai
  clock / clock +2h / clock +3d / clock 2026-12-01T09:00 / tick
  help / quit"""
SHORT_HELP = (
    "Type a slash command (/owner roadmap) or one of: press, submit, cancel, say, react, "
    "shortcut, home, as, users, in, locale, tz, clock, tick, help, quit."
)
COMMANDS: dict[str, Callable[[Session, str], None]] = {
    "press": press,
    "submit": submit,
    "cancel": cancel,
    "say": say,
    "react": react,
    "shortcut": shortcut,
    "home": home,
    "as": as_user,
    "in": in_channel,
    "users": users,
    "locale": locale,
    "tz": tz,
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
