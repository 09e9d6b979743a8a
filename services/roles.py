"""Role use cases: who holds what, assignments, backups, absences, and their history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from domain.catalog import Area, Catalog, Role
from domain.config import Defaults
from domain.errors import Conflict, NotFound, UsageError
from domain.routing import Routing, route
from services.config import workspace_config
from storage import roles as store
from storage.areas import custom_areas, custom_version
from storage.models import RoleEvent
from storage.profiles import get_profiles

USAGE = "role.usage"


@dataclass(frozen=True)
class RoleView:
    """A role with its holders, its backup and who of them is away."""

    role: Role
    holders: tuple[str, ...]
    backup: str | None
    away: dict[str, date]
    routing: Routing  # whom the role routes to now: the backup when it stands in


def workspace_catalog(session: Session, team_id: str, base: Catalog) -> Catalog:
    """The shipped catalogue plus this workspace's own areas (`/owner add`)."""
    # Cached on `base` while the custom rows are unchanged: building a catalogue from 200
    # custom areas costs more than the whole rest of an answer.
    version = custom_version(session, team_id)
    cached = base.workspaces.get(team_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    built = _build_catalog(session, team_id, base)
    base.workspaces[team_id] = (version, built)
    return built


def _build_catalog(session: Session, team_id: str, base: Catalog) -> Catalog:
    areas = [
        Area(
            key=a.key,
            name_en=a.name,
            name_zh=a.name,
            owner=a.role_key,
            aliases=tuple(a.aliases or ()),
            custom=True,
        )
        for a in custom_areas(session, team_id)
    ]
    return base.with_extra([], areas)


def today(session: Session, settings: Defaults, team_id: str, now: datetime) -> date:
    """Today's date in the workspace's default time zone."""
    tz = workspace_config(session, settings, team_id).default_tz
    return now.astimezone(ZoneInfo(tz)).date()


def find_role(catalog: Catalog, text: str, usage: str = USAGE) -> Role:
    """The role named by key, name or alias; a clear error listing the roles otherwise."""
    role = catalog.find_role(text) if text.strip() else None
    if role is None:
        raise NotFound("error.unknown_role", usage=usage, text=text, roles=role_keys(catalog))
    return role


def role_keys(catalog: Catalog) -> str:
    """Every role key, for error messages."""
    return ", ".join(f"`{key}`" for key in catalog.roles)


def directory(
    session: Session, team_id: str, catalog: Catalog, day: date, only: list[Role] | None = None
) -> list[RoleView]:
    """Every role (or `only` these) with holders, backup, absences and whom it routes to:
    four queries."""
    roles = only if only is not None else list(catalog.roles.values())
    keys = [r.key for r in roles]
    held = store.holders_by_role(session, team_id, keys)
    backup = store.backups(session, team_id, keys)
    people = {u for us in held.values() for u in us} | set(backup.values())
    away = store.absences(session, team_id, day, people)
    gone = {u for u, p in get_profiles(session, team_id, people).items() if p.deleted}
    return [
        RoleView(
            r,
            tuple(held.get(r.key, ())),
            backup.get(r.key),
            away,
            route(r.key, held.get(r.key, []), backup.get(r.key), away, gone),
        )
        for r in roles
    ]


def assign(
    session: Session, team_id: str, catalog: Catalog, actor: str, user: str, text: str, at: datetime
) -> Role:
    """Give `user` the role named `text`."""
    role = find_role(catalog, text)
    if not store.add_holder(session, team_id, role.key, user, actor, at):
        raise Conflict("role.assign.already", user=user, role=role.key)
    store.add_event(session, team_id, "assign", actor, at, role_key=role.key, subject_id=user)
    return role


def unassign(
    session: Session, team_id: str, catalog: Catalog, actor: str, user: str, text: str, at: datetime
) -> Role:
    """Take the role named `text` from `user`."""
    role = find_role(catalog, text)
    if not store.remove_holder(session, team_id, role.key, user):
        raise NotFound("role.unassign.not_holder", user=user, role=role.key)
    store.add_event(session, team_id, "unassign", actor, at, role_key=role.key, subject_id=user)
    return role


def set_backup(
    session: Session, team_id: str, catalog: Catalog, actor: str, text: str, user: str, at: datetime
) -> Role:
    """Name `user` the backup of the role named `text`."""
    role = find_role(catalog, text)
    store.set_backup(session, team_id, role.key, user)
    store.add_event(session, team_id, "backup", actor, at, role_key=role.key, subject_id=user)
    return role


def away_until(session: Session, team_id: str, day: date, user: str) -> date | None:
    """The last day `user` is away, when away today or later."""
    return store.absences(session, team_id, day, [user]).get(user)


def mark_away(
    session: Session, team_id: str, actor: str, user: str, until: date, day: date, at: datetime
) -> None:
    """Mark `user` away until (and including) `until`; a past date is refused."""
    if until < day:
        raise UsageError("role.away.past", usage=USAGE, date=until.isoformat())
    store.set_absence(session, team_id, user, until)
    detail = {"until": until.isoformat()}
    store.add_event(session, team_id, "away", actor, at, subject_id=user, detail=detail)


def mark_back(session: Session, team_id: str, actor: str, user: str, at: datetime) -> None:
    """Mark `user` back; refused when they were not away."""
    if not store.set_absence(session, team_id, user, None):
        raise Conflict("role.back.not_away", user=user)
    store.add_event(session, team_id, "back", actor, at, subject_id=user)


def history(session: Session, team_id: str, role: Role | None, limit: int = 20) -> list[RoleEvent]:
    """The latest changes, newest first."""
    return store.events(session, team_id, role.key if role else None, limit)


def roles_held(session: Session, team_id: str, catalog: Catalog, user: str) -> list[Role]:
    """The roles a person holds, in catalogue order."""
    keys = set(store.roles_of(session, team_id, user))
    return [r for r in catalog.roles.values() if r.key in keys]


def backup_for(session: Session, team_id: str, catalog: Catalog, user: str) -> list[Role]:
    """The roles a person is backup of."""
    keys = {k for k, u in store.backups(session, team_id).items() if u == user}
    return [r for r in catalog.roles.values() if r.key in keys]
