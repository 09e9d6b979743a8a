"""`/role`: who holds which role; assignments, backups, absences and history."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from domain.catalog import Area, Catalog, Role
from domain.commands import resolve
from domain.errors import NotAllowed, NotFound, UsageError
from domain.parsing import is_user, parse_date, parse_user, split_command
from domain.permissions import may_change_presence
from handlers.access import requester_is_admin, require_admin
from handlers.context import Requester, requester
from handlers.deps import Deps
from handlers.mrkdwn import escape
from handlers.replies import ephemeral
from handlers.routing_text import told
from handlers.users import UserDirectory
from i18n import joined, t
from services import roles as service
from services.roles import USAGE, RoleView
from services.standup_presence import refresh_person

Sub = Callable[[Deps, UserDirectory, Session, Requester, list[str]], str]


def register(app: App, deps: Deps, directory: UserDirectory) -> None:
    """Wire `/role`."""

    def role_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        """Answer every subcommand from the store, inside the ack."""
        who = requester(context)
        sub, rest = split_command(command.get("text", ""), USAGE)
        if sub in ("", "help"):
            ack(ephemeral(t(who.lang, "role.help")))
            return
        found = resolve(sub, rest, SUBCOMMANDS)
        if found.suggestion:
            raise UsageError(
                "command.did_you_mean", usage=USAGE, suggestion=f"/role {found.suggestion}"
            )
        handler = SUBCOMMANDS.get(found.name or "")
        if handler is None:
            raise UsageError("role.unknown", usage=USAGE, sub=sub[:50])
        with deps.db.begin() as session:
            ack(ephemeral(handler(deps, directory, session, who, rest.split())))

    app.command("/role")(role_command)


def role_line(view: RoleView, lang: str) -> str:
    """One role of the directory: holders (away marked), backup."""
    people = [
        t(lang, "role.away_mark", user=f"<@{u}>", date=view.away[u].isoformat())
        if u in view.away
        else f"<@{u}>"
        for u in view.holders
    ]
    name = escape(view.role.name(lang))
    line = f"• *{name}* (`{view.role.key}`): "
    line += joined(lang, people) if people else t(lang, "role.nobody")
    if view.routing.backup:  # standing in: said so, never read as a holder
        line += " · " + told(view.routing, name, lang)
    elif view.backup:
        line += " " + t(lang, "role.backup_mark", user=f"<@{view.backup}>")
    return line


def _list(deps: Deps, d: UserDirectory, s: Session, who: Requester, args: list[str]) -> str:
    catalog = service.workspace_catalog(s, who.team_id, deps.catalog)
    day = service.today(s, deps.settings, who.team_id, deps.now())
    views = service.directory(s, who.team_id, catalog, day)
    return "\n".join([t(who.lang, "role.list.title"), *(role_line(v, who.lang) for v in views)])


def _who(deps: Deps, d: UserDirectory, s: Session, who: Requester, args: list[str]) -> str:
    if not args:
        raise UsageError("role.missing", usage=USAGE)
    catalog = service.workspace_catalog(s, who.team_id, deps.catalog)
    role = service.find_role(catalog, " ".join(args))
    day = service.today(s, deps.settings, who.team_id, deps.now())
    view = service.directory(s, who.team_id, catalog, day, only=[role])[0]
    line = role_line(view, who.lang)
    if not view.holders:
        line += "\n" + t(who.lang, "role.how_to_assign", key=role.key)
    return line


def _me(deps: Deps, d: UserDirectory, s: Session, who: Requester, args: list[str]) -> str:
    catalog = service.workspace_catalog(s, who.team_id, deps.catalog)
    held = service.roles_held(s, who.team_id, catalog, who.user_id)
    backing = service.backup_for(s, who.team_id, catalog, who.user_id)
    names = joined(who.lang, [f"{escape(r.name(who.lang))} (`{r.key}`)" for r in held])
    lines = [t(who.lang, "role.me.roles", roles=names) if held else t(who.lang, "role.me.none")]
    day = service.today(s, deps.settings, who.team_id, deps.now())
    if backing:
        keys = joined(who.lang, [escape(r.name(who.lang)) for r in backing])
        lines.append(t(who.lang, "role.me.backup", roles=keys))
        views = service.directory(s, who.team_id, catalog, day, only=backing)
        standing = joined(
            who.lang, [escape(v.role.name(who.lang)) for v in views if v.routing.backup]
        )
        if standing:
            lines.append(t(who.lang, "role.me.standing_in", roles=standing))
    until = service.away_until(s, who.team_id, day, who.user_id)
    if until is not None:
        lines.append(t(who.lang, "role.me.away", date=until.isoformat()))
    return "\n".join(lines)


def _user_and_role(args: list[str], user_first: bool) -> tuple[str, str]:
    if len(args) == 1:  # say which half is missing
        key = "role.missing_role" if is_user(args[0]) else "role.missing_user"
        raise UsageError(key, usage=USAGE)
    if len(args) < 2:
        raise UsageError("role.missing", usage=USAGE)
    if user_first:
        return parse_user(args[0], USAGE), " ".join(args[1:])
    return parse_user(args[-1], USAGE), " ".join(args[:-1])


def _change(action: str, apply: Callable[..., Role], *, user_first: bool) -> Sub:
    """assign / unassign / backup: admin-only, a person and a role, one confirmation."""

    def change(deps: Deps, d: UserDirectory, s: Session, who: Requester, args: list[str]) -> str:
        require_admin(deps, d, s, who)
        user, text = _user_and_role(args, user_first=user_first)
        _check_exists(d, who.team_id, user)
        catalog = service.workspace_catalog(s, who.team_id, deps.catalog)
        role = apply(s, who.team_id, catalog, who.user_id, user, text, deps.now())
        if action != "backup":  # who is prompted follows the roles held
            refresh_person(s, who.team_id, user, deps.now(), deps.settings, deps.catalog)
        name = escape(role.name(who.lang))
        return t(who.lang, f"role.{action}.done", user=f"<@{user}>", role=name)

    return change


def _check_exists(d: UserDirectory, team_id: str, user: str) -> None:
    """Refuse a person Slack does not know or has deactivated. The profile comes from the
    cache; someone never seen costs one users.info in the ack (2 s timeout, no retries, as
    for admin checks). When Slack cannot answer in time the change is accepted: an admin's
    command is not refused for an outage."""
    profile = d.profile(team_id, user)
    if profile is None and d.unknown_to_slack(team_id, user):
        raise NotFound("role.user_not_found", id=user)
    if profile is not None and profile.deleted:
        raise NotFound("role.user_deactivated", user=f"<@{user}>")


def _set_backup(
    s: Session, team: str, catalog: Catalog, actor: str, user: str, text: str, at: datetime
) -> Role:
    return service.set_backup(s, team, catalog, actor, text, user, at)


def _subject(deps: Deps, d: UserDirectory, s: Session, who: Requester, token: str) -> str:
    """The person an away/back is about: oneself, or anyone for an admin."""
    user = who.user_id if token.lower() in ("me", "myself") else parse_user(token, USAGE)
    if user != who.user_id:
        admin = requester_is_admin(deps, d, s, who)
        if not may_change_presence(who.user_id, user, actor_is_admin=admin):
            raise NotAllowed("role.away.not_allowed")
    return user


def _away(deps: Deps, d: UserDirectory, s: Session, who: Requester, args: list[str]) -> str:
    if len(args) != 3 or args[1].lower() not in ("until", "到"):
        raise UsageError("role.away.missing", usage=USAGE)
    until = parse_date(args[2], USAGE)
    user = _subject(deps, d, s, who, args[0])
    day = service.today(s, deps.settings, who.team_id, deps.now())
    service.mark_away(s, who.team_id, who.user_id, user, until, day, deps.now())
    refresh_person(s, who.team_id, user, deps.now(), deps.settings, deps.catalog)
    return t(who.lang, "role.away.done", user=f"<@{user}>", date=until.isoformat())


def _back(deps: Deps, d: UserDirectory, s: Session, who: Requester, args: list[str]) -> str:
    if len(args) > 1:
        raise UsageError("role.missing", usage=USAGE)
    user = _subject(deps, d, s, who, args[0] if args else "me")
    service.mark_back(s, who.team_id, who.user_id, user, deps.now())
    refresh_person(s, who.team_id, user, deps.now(), deps.settings, deps.catalog)
    return t(who.lang, "role.back.done", user=f"<@{user}>")


def _history(deps: Deps, d: UserDirectory, s: Session, who: Requester, args: list[str]) -> str:
    catalog = service.workspace_catalog(s, who.team_id, deps.catalog)
    role = service.find_role(catalog, " ".join(args)) if args else None
    rows = service.history(s, who.team_id, role)
    if not rows:
        return t(who.lang, "role.history.none")
    lines = [t(who.lang, "role.history.title")]
    for row in rows:
        detail = row.detail or {}
        what = t(
            who.lang,
            f"role.event.{row.action}",
            role=_named(catalog.roles, row.role_key or "", who.lang),
            user=f"<@{row.subject_id}>" if row.subject_id else "",
            until=str(detail.get("until", "")),
            area=_named(catalog.areas, str(detail.get("area", "")), who.lang),
        )
        when = row.at.strftime("%Y-%m-%d %H:%M UTC")
        lines.append(f"• {when} — <@{row.actor_id}>: {what}")
    return "\n".join(lines)


def _named(entries: Mapping[str, Role | Area], key: str, lang: str) -> str:
    """A role's or area's name in the reader's language; its key once it is gone."""
    entry = entries.get(key)
    return escape(entry.name(lang) if entry is not None else key)


SUBCOMMANDS: dict[str, Sub] = {
    "list": _list,
    "who": _who,
    "me": _me,
    "assign": _change("assign", service.assign, user_first=True),
    "unassign": _change("unassign", service.unassign, user_first=True),
    "backup": _change("backup", _set_backup, user_first=False),
    "away": _away,
    "back": _back,
    "history": _history,
}
