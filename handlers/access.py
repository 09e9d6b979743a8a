"""Admin checks: for commands marked (admin), and the lazy one the ticket rules ask."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from domain.errors import Conflict, NotAllowed
from domain.permissions import is_admin
from handlers.context import Requester
from handlers.deps import Deps
from handlers.users import UserDirectory
from services.config import workspace_config
from services.notices import admin_role_holders


def requester_is_admin(
    deps: Deps, directory: UserDirectory, session: Session, who: Requester
) -> bool:
    """Whether the requester is an admin of their workspace.

    The store answers first (configured admins, product-owner holders, a cached profile);
    Slack is asked only about someone never seen, once, briefly.
    """
    config = workspace_config(session, deps.settings, who.team_id)
    owners = admin_role_holders(session, who.team_id)
    if is_admin(
        who.user_id,
        configured_admins=config.admins,
        workspace_admin=False,
        admin_role_holders=owners,
    ):
        return True
    profile = directory.profile(who.team_id, who.user_id)
    if profile is None and directory.lookup_failed(who.team_id, who.user_id):
        raise Conflict("error.admin_check_failed")
    return bool(profile and profile.is_admin and not profile.deleted)


def require_admin(deps: Deps, directory: UserDirectory, session: Session, who: Requester) -> None:
    """Refuse non-admins with a clear message."""
    if not requester_is_admin(deps, directory, session, who):
        raise NotAllowed("error.not_admin")


def admin_check(
    deps: Deps, directory: UserDirectory, session: Session, who: Requester
) -> Callable[[], bool]:
    """`requester_is_admin` to call later, only if the ticket rules need the answer (a
    reporter closing their own ticket never waits on Slack)."""
    return lambda: requester_is_admin(deps, directory, session, who)
