"""App Home: the role directory and the user's own open tickets (reported or assigned).

Each list is one section, so each fits a section's 3 000 characters: what does not fit is
counted, with the command that shows it all.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.context import requester
from handlers.deps import Deps
from handlers.errors import guarded
from handlers.issue_blocks import ticket_line
from handlers.limits import SECTION_TEXT, fit_joined
from handlers.replies import context_block, section
from handlers.role import role_line
from handlers.users import UserDirectory
from i18n import t
from services import roles as role_service
from services.ticket_queries import list_tickets


def home_view(deps: Deps, team_id: str, user_id: str, lang: str) -> dict[str, Any]:
    """The Home tab for one person, from the store."""
    now = deps.now()
    with deps.db.begin() as session:
        catalog = role_service.workspace_catalog(session, team_id, deps.catalog)
        day = role_service.today(session, deps.settings, team_id, now)
        views = role_service.directory(session, team_id, catalog, day)
        mine = list_tickets(session, team_id, "mine", user_id)
        tickets = [ticket_line(ticket, lang, now) for ticket in mine.tickets]
    unlisted = mine.total - len(mine.tickets)  # beyond the page the store handed over
    roles = _listed(t(lang, "home.roles"), [role_line(v, lang) for v in views], lang, "role")
    shown = tickets or [t(lang, "home.no_tickets")]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": t(lang, "home.title")}},
        section(roles),
        {"type": "divider"},
        section(_listed(t(lang, "home.tickets"), shown, lang, "ticket", unlisted)),
        {"type": "divider"},
        context_block(t(lang, "home.hint")),
    ]
    return {"type": "home", "blocks": blocks}


def _listed(title: str, lines: list[str], lang: str, kind: str, beyond: int = 0) -> str:
    """A title and as many lines as fit one section; the rest counted, with `beyond` more
    that were never fetched."""
    room = SECTION_TEXT - len(title) - 1

    def more(count: int) -> str:
        return t(lang, f"home.more.{kind}", count=count + beyond)

    full = "\n".join(lines)
    if beyond and len(full) + 1 + len(more(len(lines))) <= room:
        return f"{title}\n{full}\n{more(0)}"
    return f"{title}\n{fit_joined(lines, room, more)}"


def register(app: App, deps: Deps, directory: UserDirectory) -> None:
    """Wire the Home tab."""

    def acknowledge(ack: Ack) -> None:
        """Events only need a 200; the view is published after."""
        ack()

    def publish_home(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """Publish the Home tab when someone opens it."""
        if event.get("tab", "home") != "home":
            return
        who = requester(context)
        view = home_view(deps, who.team_id, who.user_id, who.lang)
        client.views_publish(user_id=who.user_id, view=view)

    app.event("app_home_opened")(ack=acknowledge, lazy=[guarded(publish_home)])
