"""Who is asking, in which workspace and language: resolved once per request."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext

from domain.text import has_cjk
from handlers.deps import Deps
from handlers.installation import installing_workspace
from handlers.users import UserDirectory
from i18n import lang_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Requester:
    """The person behind a request."""

    team_id: str
    user_id: str
    lang: str


def requester(context: BoltContext) -> Requester:
    """The Requester the middleware put on the context."""
    found = context.get("requester")
    if not isinstance(found, Requester):
        raise RuntimeError("requester middleware did not run")
    return found


def _request_text(body: dict[str, Any]) -> str:
    if isinstance(body.get("text"), str):
        return str(body["text"])
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("text"), str):
        return str(event["text"])
    return ""


def make_requester_middleware(
    deps: Deps, directory: UserDirectory
) -> Callable[[BoltContext, dict[str, Any], Callable[[], Any]], Any]:
    """Middleware that puts a Requester on every request's context.

    The language comes from the cached Slack profile; a person not cached yet is answered in
    Chinese when they wrote Chinese, and their profile is fetched after the ack.
    """

    def attach_requester(
        context: BoltContext, body: dict[str, Any], next: Callable[[], Any]
    ) -> Any:  # `next`: Bolt hands middleware its arguments by name
        # The workspace guard put the installing team on the context; Bolt's own guess
        # (`team.id`) is the clicking person's organisation in a Slack Connect channel.
        team_id = context.team_id or installing_workspace(body).team_id
        user_id = context.user_id or ""
        lang = "zh" if has_cjk(_request_text(body)) else "en"
        if team_id and user_id:
            cached = directory.cached(team_id, user_id)
            if cached is not None and cached.locale:
                lang = lang_of(cached.locale)
            if directory.needs_fetch(team_id, user_id, cached):
                directory.refresh_later(team_id, user_id)
        context["requester"] = Requester(team_id=team_id or "", user_id=user_id, lang=lang)
        return next()

    return attach_requester
