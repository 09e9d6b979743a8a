"""How the people a role routes to are described: a backup standing in reads as the backup
("@bob (backup, Tech Lead is away)"), never as a holder; nobody told reads as why."""

from __future__ import annotations

from domain.catalog import Catalog
from domain.routing import AWAY, Absent, Routing
from handlers.mrkdwn import escape
from i18n import joined, t


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
        return joined(lang, (stand_in(u, role, routing.why, lang) for u in routing.people))
    return joined(lang, (f"<@{u}>" for u in routing.people))


def absent(who: Absent, lang: str) -> str:
    """'@bob (away until …)', or '@carol (backup, away until …)'."""
    key = "routing.backup_away_until" if who.backup else "routing.away_until"
    return t(lang, key, user=f"<@{who.user_id}>", date=who.until.isoformat())


def nobody_here(routing: Routing, role: str, lang: str) -> str | None:
    """'Nobody for Tech Lead is here: @bob (away until …), @carol (backup, away until …).
    @bob is back first, on …' — None when nobody is away (nobody holds the role, say)."""
    first = routing.first_back
    if first is None:
        return None
    return t(
        lang,
        "routing.nobody_here",
        role=role,
        people=joined(lang, (absent(a, lang) for a in routing.absent)),
        first=f"<@{first.user_id}>",
        date=first.back_on.isoformat(),
        count=len(routing.absent),
    )


def nobody_line(routing: Routing, role: str, lang: str) -> str:
    """Nobody can be told, in one line as `/owner` says it: who is away and who is back
    first, else that nobody holds the role (without how an admin fixes it)."""
    return nobody_here(routing, role, lang) or t(lang, "owner.nobody", role=role)


def why_nobody(routing: Routing, role: str, lang: str) -> str:
    """Why nobody could be told (who is away and who is back first, when the backup is away
    too), and what an admin can do about it."""
    here = nobody_here(routing, role, lang) if routing.backup_away else None
    if here is not None:
        return here + " " + t(lang, f"routing.hint.{routing.why}", key=routing.role_key)
    day = routing.back_on.isoformat() if routing.back_on else "?"
    return t(lang, f"routing.why.{routing.why}", role=role, key=routing.role_key, date=day)
