"""`/owner`: who owns a topic, answered from the store inside the ack."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from domain.errors import UsageError
from domain.parsing import is_user, parse_user, split_command
from handlers import owner_blocks as blocks
from handlers.access import require_admin
from handlers.context import Requester, requester
from handlers.deps import Deps
from handlers.errors import after_ack, guarded
from handlers.mrkdwn import escape
from handlers.notify import dm
from handlers.replies import ephemeral
from handlers.routing_text import role_name, told
from handlers.users import UserDirectory
from i18n import lang_of, t
from services import notices
from services import owner as service
from services.roles import today, workspace_catalog
from services.routing import route_now

log = logging.getLogger(__name__)
USAGE = service.USAGE
ADMIN_SUBCOMMANDS = ("set", "unset", "add", "gaps")


def register(app: App, deps: Deps, directory: UserDirectory) -> None:
    """Wire `/owner` and its share button."""

    def owner_command(
        ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Answer from the store, inside the ack."""
        who = requester(context)
        sub, rest = split_command(command.get("text", ""), USAGE)
        if sub == "help":
            ack(ephemeral(t(who.lang, "owner.help")))
        elif sub in ("", "list"):
            ack(_listing(deps, who))
        elif sub in ADMIN_SUBCOMMANDS:
            ack(ephemeral(_admin(deps, directory, who, sub, rest)))
        else:
            reply, answers = _topic(deps, who, command.get("text", "").strip())
            ack(reply)
            _follow_up(deps, directory, client, who, answers)

    def share_ack(ack: Ack) -> None:
        """Acknowledge the button; the answer is posted after the ack."""
        ack()

    def share(body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        """Post the same answer visibly in the channel, recomputed from the store."""
        who = requester(context)
        key = str((body.get("actions") or [{}])[0].get("value", ""))
        with deps.db.begin() as session:
            day = today(session, deps.settings, who.team_id, deps.now())
            answer = service.answer_area(session, who.team_id, deps.catalog, key, day)
        text, shown = blocks.single(answer, None, who.lang, share=False)
        asked = t(who.lang, "owner.shared_by", user=f"<@{who.user_id}>")
        shown.append({"type": "context", "elements": [{"type": "mrkdwn", "text": asked}]})
        respond(response_type="in_channel", text=text, blocks=shown)
        # Then the asker's private copy goes; Slack ignores anything sent with a delete.
        respond(delete_original=True)

    app.command("/owner")(owner_command)
    app.action(blocks.SHARE)(ack=share_ack, lazy=[guarded(share)])


def _topic(
    deps: Deps, who: Requester, text: str
) -> tuple[dict[str, Any], list[service.AreaAnswer]]:
    with deps.db.begin() as session:
        day = today(session, deps.settings, who.team_id, deps.now())
        found = service.answer_topic(session, who.team_id, deps.catalog, text, day, deps.now())
    answers = list(found.answers)
    if found.role is not None and found.people is not None:
        return ephemeral(*blocks.role_reply(found.role, found.people, answers, who.lang)), answers
    if not answers:
        return ephemeral(blocks.none(text, found.match.suggestions, who.lang)), answers
    if len(answers) == 1:
        hit = found.match.hits[0]
        return ephemeral(*blocks.single(answers[0], hit, who.lang, text)), answers
    return ephemeral(*blocks.several(answers, who.lang, text)), answers


def _listing(deps: Deps, who: Requester) -> dict[str, Any]:
    with deps.db.begin() as session:
        day = today(session, deps.settings, who.team_id, deps.now())
        answers = service.list_areas(session, who.team_id, deps.catalog, day)
    return ephemeral(*blocks.listing(answers, who.lang))


def _admin(deps: Deps, directory: UserDirectory, who: Requester, sub: str, rest: str) -> str:
    """set / unset / add / gaps: admins only, each in one transaction."""
    lang, now = who.lang, deps.now()
    with deps.db.begin() as session:
        require_admin(deps, directory, session, who)
        if sub == "gaps":
            return _gaps(service.gaps(session, who.team_id), lang)
        if not rest:
            raise UsageError("owner.missing", usage=USAGE)
        if sub == "set":
            topic, _, mention = rest.rpartition(" ")
            if not topic.strip() or not is_user(mention):
                raise UsageError("owner.set.missing", usage=USAGE)
            user = parse_user(mention, USAGE)
            area = service.set_owner(
                session, who.team_id, deps.catalog, who.user_id, topic, user, now
            )
            return t(lang, "owner.set.done", area=blocks.area_name(area, lang), user=f"<@{user}>")
        if sub == "unset":
            area = service.set_owner(
                session, who.team_id, deps.catalog, who.user_id, rest, None, now
            )
            return t(lang, "owner.unset.done", area=blocks.area_name(area, lang))
        topic, role_text = _split_role(deps, session, who, rest)
        area, role = service.add_area(
            session, who.team_id, deps.catalog, who.user_id, topic, role_text, now
        )
        return t(
            lang, "owner.add.done", area=escape(area.name_en), key=area.key, role=role.name(lang)
        )


def _split_role(deps: Deps, session: Session, who: Requester, rest: str) -> tuple[str, str]:
    """'data platform tech lead' → ('data platform', 'tech lead'): the longest role suffix."""
    catalog = workspace_catalog(session, who.team_id, deps.catalog)
    words = rest.split()
    for cut in range(1, len(words)):
        if catalog.find_role(" ".join(words[cut:])) is not None:
            return " ".join(words[:cut]), " ".join(words[cut:])
    if len(words) < 2:
        raise UsageError("owner.add.missing", usage=USAGE)
    return " ".join(words[:-1]), words[-1]


def _gaps(rows: list[Any], lang: str) -> str:
    if not rows:
        return t(lang, "owner.gaps.none")
    lines = [t(lang, "owner.gaps.title")]
    lines += [t(lang, "owner.gaps.line", topic=escape(r.sample), count=r.count) for r in rows]
    lines.append(t(lang, "owner.how_to_add"))
    return "\n".join(lines)


def _follow_up(
    deps: Deps,
    directory: UserDirectory,
    client: WebClient,
    who: Requester,
    answers: list[service.AreaAnswer],
) -> None:
    """After the answer: refresh stale profiles of the people named, and tell admins about
    vacated roles. Started only when there is something to do, so a plain answer costs
    nothing more."""
    named = _named(answers)
    known = directory.cached_many(who.team_id, named)
    stale = [u for u in sorted(named) if directory.needs_fetch(who.team_id, u, known.get(u))]
    vacated = service.vacancies(answers)
    if not stale and not vacated:
        return

    def follow_up() -> None:
        for user_id in stale:
            directory.fetch(who.team_id, user_id)
        notify_vacancies(deps, client, who.team_id, vacated)

    after_ack(deps, follow_up)


def _named(answers: list[service.AreaAnswer]) -> set[str]:
    """Everyone an answer names or would name (holders, backups, overrides)."""
    found: set[str] = set()
    for answer in answers:
        found |= {p.user_id for p in answer.owners} | set(answer.vacated)
        found |= {a.user_id for a in answer.routing.absent}
        for c in answer.contributors:
            found |= {p.user_id for p in c.holders} | set(c.routing.people)
            found |= {a.user_id for a in c.routing.absent}
    return found


def notify_vacancies(
    deps: Deps, client: WebClient, team_id: str, vacated: set[tuple[str, str]]
) -> None:
    """DM each admin once per deactivated holder: the role needs someone new, and who is
    asked meanwhile when its backup stands in (the claim and the DM commit together; the
    outbox sends it)."""
    for role_key, user_id in sorted(vacated):
        with deps.db.begin() as session:
            now = deps.now()
            chosen = notices.vacancy_notices(
                session, deps.settings, team_id, role_key, user_id, now
            )
            routed = route_now(session, deps.settings, team_id, role_key, now)
            for notice in chosen:
                lang = lang_of(notice.locale)
                name = role_name(deps.catalog, role_key, lang)
                text = t(
                    lang, "owner.vacated.notice", user=f"<@{user_id}>", role=name, key=role_key
                )
                if routed.backup:
                    text += " " + t(
                        lang, "owner.vacated.meanwhile", people=told(routed, name, lang)
                    )
                dm(session, deps, team_id, notice.admin_id, notice.claim_key, text, kind="vacancy")
