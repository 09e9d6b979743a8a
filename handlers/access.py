"""Admin checks for commands marked (admin)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.deps import Deps
from domain.errors import NotAllowed
from domain.permissions import ADMIN_ROLE, is_admin
from handlers.context import Requester
from handlers.users import UserDirectory
from services.config import workspace_config
from storage.roles import holders


def requester_is_admin(
    deps: Deps, directory: UserDirectory, session: Session, who: Requester
) -> bool:
    """Whether the requester is an admin of their workspace."""
    config = workspace_config(session, deps.settings, who.team_id)
    if who.user_id in config.admins:
        return True
    if who.user_id in holders(session, who.team_id, ADMIN_ROLE):
        return True
    profile = directory.profile(who.team_id, who.user_id)
    return is_admin(
        who.user_id,
        configured_admins=config.admins,
        workspace_admin=bool(profile and profile.is_admin and not profile.deleted),
        admin_role_holders=(),
    )


def require_admin(deps: Deps, directory: UserDirectory, session: Session, who: Requester) -> None:
    """Refuse non-admins with a clear message."""
    if not requester_is_admin(deps, directory, session, who):
        raise NotAllowed("error.not_admin")
