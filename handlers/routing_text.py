"""How the people a role routes to are described: a backup standing in reads as the backup
("@bob (backup, Tech Lead is away)"), never as a holder; nobody told reads as why."""

from __future__ import annotations

from domain.catalog import Catalog
from domain.routing import AWAY, Routing
from handlers.mrkdwn import escape
from i18n import t


def role_name(catalog: Catalog, role_key: str, lang: str) -> str:
    """The role's name in `lang` (its key when the catalogue no longer has it)."""
    role = catalog.roles.get(role_key)
    return escape(role.name(lang)) if role else f"`{role_key}`"


def stand_in(user_id: str, role: str, why: str | None, lang: str) -> str:
    """'@bob (backup, Tech Lead is away)': the backup, and why they stand in."""
    return t(lang, f"routing.stand_in.{why or AWAY}", user=f"<@{user_id}>", role=role)


def as_backup(user_id: str, lang: str) -> str:
    """'@bob (backup, no holder is here)', where the role goes without saying."""
    return t(lang, "routing.stand_in.any", user=f"<@{user_id}>")


def told(routing: Routing, role: str, lang: str) -> str:
    """Who is told, as mentions; the backup standing in described as such."""
    if routing.backup:
        return ", ".join(stand_in(u, role, routing.why, lang) for u in routing.people)
    return ", ".join(f"<@{u}>" for u in routing.people)


def why_nobody(routing: Routing, role: str, lang: str) -> str:
    """Why nobody could be told, and what an admin can do about it."""
    day = routing.back_on.isoformat() if routing.back_on else "?"
    return t(lang, f"routing.why.{routing.why}", role=role, key=routing.role_key, date=day)
