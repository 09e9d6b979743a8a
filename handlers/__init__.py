"""Slack I/O: one module per command or surface, each with `register(app, deps, directory)`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_bolt import App
from slack_sdk import WebClient

from handlers import (
    direct_messages,
    home,
    issue,
    issue_actions,
    issue_events,
    issue_jobs,
    owner,
    profile_events,
    prompts,
    role,
    rolecall,
)
from handlers.context import make_requester_middleware
from handlers.deps import Deps
from handlers.errors import handle_listener_error
from handlers.slack_text import decode_command_text
from handlers.users import UserDirectory

SURFACES = (
    rolecall,
    prompts,
    home,
    role,
    owner,
    profile_events,
    issue,
    issue_actions,
    issue_events,
    direct_messages,
)
# Scheduled work: functions (deps, client, now) -> deliveries made, run by bot.scheduler.
DUE_WORK: list[Callable[[Deps, WebClient, datetime], int]] = [issue_jobs.flag_first_responses]


def register_all(app: App, deps: Deps) -> UserDirectory:
    """Register the middleware, the error boundary and every surface's listeners."""
    directory = UserDirectory(deps, app.client)
    app.middleware(decode_command_text)  # the edge: listeners read command text as typed
    app.middleware(make_requester_middleware(deps, directory))
    app.error(handle_listener_error)
    for surface in SURFACES:
        surface.register(app, deps, directory)
    return directory
