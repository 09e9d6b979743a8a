"""Notices to admins that are sent once: who still has to be told, claimed as they are chosen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from domain.config import Defaults
from domain.permissions import ADMIN_ROLE
from services.config import workspace_config
from services.routing import route_now
from storage.profiles import get_profiles, workspace_admins
from storage.roles import holders, roles_of
from storage.workspace import claim


@dataclass(frozen=True)
class Notice:
    """One admin to tell, in their language, under a claim that is theirs alone."""

    admin_id: str
    locale: str | None
    claim_key: str


def vacancy_notices(
    session: Session, settings: Defaults, team_id: str, role_key: str, user_id: str, at: datetime
) -> list[Notice]:
    """The admins not yet told that `user_id` (deactivated) left `role_key` needing someone.

    Admins are the configured ones, whom the product-owner role routes to (its holders who
    are here, else its backup) and known workspace admins; each is claimed separately (the
    caller enqueues each DM under the claim's key, in the same transaction), so nobody is
    told twice.
    """
    config = workspace_config(session, settings, team_id)
    owners = route_now(session, settings, team_id, ADMIN_ROLE, at).people
    admins = dict.fromkeys([*config.admins, *owners, *workspace_admins(session, team_id)])
    admins.pop(user_id, None)
    profiles = get_profiles(session, team_id, admins)
    notices = []
    for admin in admins:
        key = f"deactivated:{role_key}:{user_id}:{admin}"
        if claim(session, team_id, key, at):
            profile = profiles.get(admin)
            notices.append(Notice(admin, profile.locale if profile else None, key))
    return notices


def roles_held(session: Session, team_id: str, user_id: str) -> list[str]:
    """The role keys a person holds (to report them vacant when they are deactivated)."""
    return roles_of(session, team_id, user_id)


def admin_role_holders(session: Session, team_id: str) -> list[str]:
    """Holders of the role whose holders are admins (product owner)."""
    return holders(session, team_id, ADMIN_ROLE)
