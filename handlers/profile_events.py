"""Profile events: `user_change` and `team_join` keep cached profiles (and deactivations) fresh."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.deps import Deps
from handlers.errors import guarded
from handlers.owner import notify_vacancies
from handlers.users import UserDirectory
from services.notices import roles_held


def register(app: App, deps: Deps, directory: UserDirectory) -> None:
    """Wire the profile events."""

    def store_profile(ack: Ack, event: dict[str, Any], context: BoltContext) -> None:
        """Save the changed user object (no Web API call needed: the event carries it)."""
        ack()
        user = event.get("user")
        if isinstance(user, dict) and user.get("id") and context.team_id:
            directory.store(context.team_id, user)

    def tell_admins(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """A deactivated role holder: tell the admins their roles need someone new."""
        user = event.get("user")
        if not (isinstance(user, dict) and user.get("deleted") and context.team_id):
            return
        with deps.db.begin() as session:
            held = roles_held(session, context.team_id, str(user["id"]))
        notify_vacancies(deps, client, context.team_id, {(r, str(user["id"])) for r in held})

    app.event("user_change")(ack=store_profile, lazy=[guarded(tell_admins)])
    app.event("team_join")(ack=store_profile, lazy=[guarded(tell_admins)])
