"""Who to tell about something routed to a role, from the store: the facts of
`domain.routing.route` (holders, backup, absences, deactivated accounts) in four queries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from domain.config import Defaults
from domain.routing import Routing, route
from services.roles import today
from storage import roles as role_store
from storage.profiles import get_profiles


def route_role(session: Session, team_id: str, role_key: str, day: date) -> Routing:
    """Who to tell about something routed to `role_key` on `day`: the holders here, else
    the backup standing in, else nobody (and why)."""
    held = role_store.holders(session, team_id, role_key)
    backup = role_store.backups(session, team_id, [role_key]).get(role_key)
    people = {*held, *([backup] if backup else [])}
    away = role_store.absences(session, team_id, day, people)
    gone = {u for u, p in get_profiles(session, team_id, people).items() if p.deleted}
    return route(role_key, held, backup, away, gone)


def route_now(
    session: Session, settings: Defaults, team_id: str, role_key: str, now: datetime
) -> Routing:
    """`route_role` on the workspace's today (its default time zone)."""
    return route_role(session, team_id, role_key, today(session, settings, team_id, now))
