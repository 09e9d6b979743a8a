"""`rolecall shell`: the real app with an in-memory Slack, driven from a console.

Like errbot's text backend: the same Bolt app and store as `rolecall serve`, with a
`SlackEmulator` on loopback as its Slack. Every input becomes a signed Slack request
dispatched in-process; everything the bot then did is printed, labelled by where it went.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import sys
from collections.abc import Iterator
from typing import TextIO

from sqlalchemy.engine import make_url

from bot.app import create_app
from bot.scheduler import run_due
from bot.settings import Settings
from bot.slack_client import make_client
from console import commands
from console.session import Session, Traffic
from console.workspace import TEAM, Person, ShellError, Workspace
from slack_emulator import SlackEmulator
from storage.db import Database
from storage.profiles import team_profiles


def _open_session(settings: Settings, out: TextIO) -> tuple[Session, SlackEmulator]:
    """The store (migrated), the emulator and the app talking to it."""
    db = Database(settings.database_url)
    db.upgrade()
    traffic = Traffic()
    emulator = SlackEmulator(TEAM, on_call=traffic.add, on_response=traffic.add).start()
    shell_settings = settings.model_copy(
        update={
            "slack_api_url": emulator.api_url,
            "slack_bot_token": "xoxb-shell",
            "slack_signing_secret": secrets.token_hex(16),
        }
    )
    app, deps = create_app(shell_settings, db, make_client(shell_settings))
    # Scheduled prompts post by the shell's clock (`clock`), not the wall clock.
    emulator.scheduled_clock = lambda: deps.clock.now().timestamp()  # type: ignore[attr-defined]
    session = Session(
        app,
        deps,
        emulator,
        traffic,
        out,
        secret=shell_settings.slack_signing_secret or "",
        run_due=lambda now: run_due(deps, app.client, now),
    )
    _remember_people(session.workspace, db)
    return session, emulator


def _remember_people(workspace: Workspace, db: Database) -> None:
    """People of earlier sessions (their IDs are in the store) come back under their names."""
    with db.begin() as store:
        known = team_profiles(store, TEAM)
    for profile in known:
        name = profile.name.lower()
        if profile.is_bot or not name or name in workspace.people:
            continue
        locale = profile.locale or "en-US"
        workspace.people[name] = Person(name, profile.user_id, locale, profile.is_admin)
        workspace.emulator.add_user(
            profile.user_id, name, locale=locale, tz=profile.tz or "UTC", is_admin=profile.is_admin
        )


def _banner(session: Session, url: str, interactive: bool) -> str:
    who = session.me.describe()
    if not interactive:
        return f"Rolecall shell: you are {who} in #general; store {url}. `help` lists commands."
    return (
        "Rolecall shell: the real Rolecall app with a pretend Slack workspace. Type slash "
        f"commands as in Slack (/owner roadmap, /role assign @alice pm) and see what the bot "
        f"would post; `press N` presses a button, `as NAME` switches user, `clock +1d` and "
        f"`tick` move time. You are {who} in #general; the store is {url}. "
        "`help` lists every command, `quit` leaves."
    )


def _lines(stdin: TextIO, interactive: bool, session: Session) -> Iterator[str]:
    """Input lines: `input()` with readline editing on a terminal, plain reads otherwise."""
    while True:
        prompt = f"{session.me.name}> "
        if interactive and stdin is sys.stdin:
            try:
                yield input(prompt)
            except EOFError:
                return
            continue
        if interactive:
            session.out.write(prompt)
            session.out.flush()
        line = stdin.readline()
        if not line:
            return
        yield line.rstrip("\r\n")


def _loop(session: Session, stdin: TextIO, interactive: bool) -> None:
    for raw in _lines(stdin, interactive, session):
        line = raw.strip()
        if not interactive:
            session.print(f"> {line}")
        if line in ("quit", "exit"):
            return
        if not line or line.startswith("#"):  # blank lines and comments in scripts
            continue
        try:
            commands.handle(session, line)
        except ShellError as error:
            session.print(str(error))
        except Exception as error:  # the shell never dies on one bad line
            session.print(f"error: {type(error).__name__}: {error}")


def run_shell(
    settings: Settings,
    *,
    as_user: str = "admin",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run the console until quit or end of input; returns the exit code."""
    stdin, out = stdin or sys.stdin, stdout or sys.stdout
    interactive = stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
    quiet = {name: logging.getLogger(name) for name in ("", "alembic", "rolecall.bolt")}
    levels = {name: logger.level for name, logger in quiet.items()}
    for name, logger in quiet.items():
        # Bolt's "unhandled request" advice and INFO chatter would drown the transcript.
        logger.setLevel(logging.ERROR if name == "rolecall.bolt" else logging.WARNING)
    session, emulator = _open_session(settings, out)
    try:
        if as_user.strip().lower() != session.me.name:
            session.me = session.workspace.person(as_user)
        url = make_url(settings.database_url).render_as_string(hide_password=True)
        session.print(_banner(session, url, interactive))
        _loop(session, stdin, interactive)
    finally:
        session.deps.background.settle()
        session.deps.background.shutdown(wait=True)
        emulator.stop()
        for name, level in levels.items():
            quiet[name].setLevel(level)
    return 0
