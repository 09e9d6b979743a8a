"""`/issue`: the support queue's command. Answers come from the store in the ack; cards,
threads and DMs are enqueued with the change (handlers.issue_notify) and sent by the outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from domain.commands import LITERAL, resolve
from domain.errors import RolecallError, UsageError
from domain.parsing import parse_user, split_command
from domain.routing import Routing
from domain.tickets import (
    LIST_WORDS,
    USAGE,
    list_filter,
    parse_filing,
    parse_number,
    parse_resolution,
    status_word,
)
from handlers import issue_follow_ups, issue_notify
from handlers.access import requester_is_admin
from handlers.context import Requester, requester
from handlers.deps import Deps
from handlers.errors import after_ack
from handlers.issue_blocks import (
    escalate_modal,
    file_modal,
    headline,
    show_blocks,
)
from handlers.issue_follow_ups import Handoff, open_view, search_job, ticket_lines
from handlers.mrkdwn import channel as channel_ref
from handlers.mrkdwn import escape, user
from handlers.replies import ephemeral
from handlers.routing_text import role_name, told, why_nobody
from handlers.users import UserDirectory
from handlers.view_meta import sealed_view
from i18n import joined, messages, t
from services import ticket_queries as queries
from services import tickets
from services.config import workspace_config
from services.roles import today


@dataclass
class Reply:
    """An ack body plus the work to do after it."""

    text: str
    blocks: list[dict[str, Any]] | None = None
    after: list[Callable[[], object]] = field(default_factory=list)


@dataclass
class Ctx:
    """One `/issue` invocation."""

    deps: Deps
    session: Session
    who: Requester
    client: WebClient
    directory: UserDirectory
    command: dict[str, Any]
    respond: Respond

    def t(self, key: str, **params: Any) -> str:
        """A message in the requester's language."""
        return t(self.who.lang, key, **params)

    def today(self) -> date:
        """The workspace's today (who is away is judged on it)."""
        return today(self.session, self.deps.settings, self.who.team_id, self.deps.now())

    def admin(self) -> bool:
        """Whether the requester is an admin (asked only when needed)."""
        return requester_is_admin(self.deps, self.directory, self.session, self.who)

    def changed(self, change: tickets.Change, key: str, **params: Any) -> Reply:
        """The ack for a change; its card, thread line and DMs join the change's transaction."""
        issue_notify.changed(self.session, self.deps, self.who.team_id, change)
        return Reply(self.t(key, number=change.number, **params))


def register(app: App, deps: Deps, directory: UserDirectory) -> None:
    """Wire `/issue` (buttons and modals: issue_actions; shortcut and reaction: issue_events)."""

    def issue_command(
        ack: Ack,
        command: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        """Answer every subcommand from the store, inside the ack."""
        who = requester(context)
        sub, rest = split_command(command.get("text", ""), USAGE)
        if sub == "":
            ack()
            view = file_modal(who.lang, "{}")  # carries nothing, so nothing to sign
            trigger = command["trigger_id"]
            after_ack(deps, open_view, client, respond, who.lang, trigger, view)
            return
        found = resolve(sub, rest, SUBCOMMANDS, ALIASES, takes={"list": LIST_WORDS})
        if found.suggestion:
            meant = found.suggestion.split()[0].rstrip("0123456789")
            usage = f"issue.usage.{meant}"  # the usage of the subcommand meant, once
            raise UsageError(
                "command.did_you_mean",
                usage=usage if usage in messages() else USAGE,
                suggestion=f"/issue {found.suggestion}",
            )
        text = rest if sub == LITERAL else command.get("text", "")
        name = found.name or "file"
        with deps.db.begin() as session:
            ctx = Ctx(deps, session, who, client, directory, command, respond)
            handler = SUBCOMMANDS.get(name, file_now)
            try:
                reply = handler(ctx, rest) if found.name else file_now(ctx, text)
            except RolecallError as error:
                if error.usage == USAGE:  # the usage of the subcommand meant, not all 14
                    error.usage = f"issue.usage.{name}"
                if error.key == "issue.bad_number" and found.name:
                    # `/issue close button missing`: maybe a summary, not a command
                    error.key, error.params["word"] = "issue.bad_number_or_summary", sub
                raise
        ack(ephemeral(reply.text, reply.blocks))
        for work in reply.after:
            after_ack(deps, work)

    app.command("/issue")(issue_command)


def file_now(ctx: Ctx, text: str) -> Reply:
    """`/issue [urgent] customer: ACME; export crashes` — filed at once."""
    # As a message filed by shortcut or reaction is: Slack's markup read as people read it
    # (`<!here>` → @here, made inert when shown; `<@U1>` → the person's name).
    filing = parse_filing(ctx.directory.readable(ctx.who.team_id, text))
    filed = tickets.NewTicket(
        summary=filing.summary,
        severity=filing.severity,
        category=filing.category,
        customer=filing.customer,
    )
    ticket, _ = tickets.file_ticket(
        ctx.session, ctx.who.team_id, ctx.who.user_id, filed, ctx.deps.now()
    )
    routed = issue_notify.filed(ctx.session, ctx.deps, ticket)
    title = headline(ticket)
    return Reply(filed_text(ctx.deps, ctx.session, ctx.who, ticket.number, title, routed))


def filed_text(
    deps: Deps,
    session: Session,
    who: Requester,
    number: int,
    title: str,
    routed: Routing | None = None,
) -> str:
    """'Filed #N' plus where the card is, or how to set a support channel; and, for
    feedback nobody could be told of (`routed`), why."""
    config = workspace_config(session, deps.settings, who.team_id)
    text = t(who.lang, "issue.filed", number=number, headline=title)
    if config.support_channel:
        channel = channel_ref(config.support_channel)
        text += " " + t(who.lang, "issue.filed.card", channel=channel)
    else:
        text += "\n" + t(who.lang, "issue.no_support_channel")
    if routed is not None and routed.nobody:
        role = role_name(deps.catalog, routed.role_key, who.lang)
        text += "\n" + t(who.lang, "issue.feedback.nobody", role=role)
        text += " " + why_nobody(routed, role, who.lang)
    return text


def _number_and_rest(rest: str) -> tuple[int, str]:
    head, _, tail = rest.strip().partition(" ")
    if not head:
        raise UsageError("issue.need_number", usage=USAGE)
    return parse_number(head), tail.strip()


def cmd_help(ctx: Ctx, rest: str) -> Reply:
    """`/issue help`."""
    return Reply(ctx.t("issue.help"))


def cmd_list(ctx: Ctx, rest: str) -> Reply:
    """`/issue list [open|mine|all|urgent|feedback]`."""
    which = list_filter((rest.split() or ["open"])[0])
    found = queries.list_tickets(ctx.session, ctx.who.team_id, which, ctx.who.user_id)
    title = ctx.t(f"issue.list.title.{which}", count=found.shown_total)
    return Reply(ticket_lines(ctx.deps.now(), ctx.who.lang, title, found, "issue.list.empty"))


def cmd_show(ctx: Ctx, rest: str) -> Reply:
    """`/issue show <n>`: the ticket and its history."""
    number, _ = _number_and_rest(rest)
    ticket = tickets.get_ticket(ctx.session, ctx.who.team_id, number)
    events = queries.history(ctx.session, ticket)
    text, blocks = show_blocks(ticket, events, ctx.who.lang, ctx.deps.now())
    return Reply(text, blocks)


def cmd_search(ctx: Ctx, rest: str) -> Reply:
    """`/issue search <words>` over summaries, descriptions, customers and resolutions.

    A search reads at most SEARCH_SCAN tickets, so it is answered in the ack when it takes
    under SEARCH_ACK_BUDGET. A slower one says so in the ack, and its results come as a new
    message: Slack never replaces a command's answer through its response_url."""
    queries.search_words(rest)  # no words: the usage, in the ack
    deps, who, respond = ctx.deps, ctx.who, ctx.respond
    handoff = Handoff(lambda text: respond(response_type="ephemeral", text=text))
    deps.background.submit(search_job, deps, who, rest, handoff)
    found = handoff.take(issue_follow_ups.SEARCH_ACK_BUDGET)
    if found is not None:
        return Reply(found)
    return Reply(ctx.t("issue.search.slow", words=escape(rest[:100])))


def cmd_take(ctx: Ctx, rest: str) -> Reply:
    """`/issue take <n>`."""
    number, _ = _number_and_rest(rest)
    change = tickets.take(
        ctx.session, ctx.who.team_id, number, ctx.who.user_id, ctx.deps.now(), ctx.admin
    )
    return ctx.changed(change, "issue.took")


def cmd_assign(ctx: Ctx, rest: str) -> Reply:
    """`/issue assign <n> @user`."""
    number, tail = _number_and_rest(rest)
    if not tail:
        raise UsageError("issue.assign.need_user", usage=USAGE)
    assignee = parse_user(tail.split()[0], USAGE)
    now = ctx.deps.now()
    change = tickets.assign(
        ctx.session, ctx.who.team_id, number, assignee, ctx.who.user_id, now, ctx.admin
    )
    return ctx.changed(change, "issue.assigned", user=user(assignee))


def cmd_status(ctx: Ctx, rest: str) -> Reply:
    """`/issue status <n> analyzing` (resolve and close have their own subcommands)."""
    number, tail = _number_and_rest(rest)
    if not tail:
        raise UsageError("issue.status.need_status", usage=USAGE, number=number)
    wanted = status_word(tail)
    if wanted == "analyzing":
        change = tickets.analyze(
            ctx.session, ctx.who.team_id, number, ctx.who.user_id, ctx.deps.now(), ctx.admin
        )
        return ctx.changed(change, "issue.analyzing")
    if wanted == "closed":
        return cmd_close(ctx, str(number))
    raise UsageError("issue.status_bad", usage=USAGE, text=tail or "?")


def cmd_escalate(ctx: Ctx, rest: str) -> Reply:
    """`/issue escalate <n> [note]`: with a note at once, without one the packet modal."""
    number, note = _number_and_rest(rest)
    team = ctx.who.team_id
    if not note:
        ticket = tickets.get_ticket(ctx.session, team, number)
        tickets.check_escalation(ctx.session, ticket, ctx.who.user_id, ctx.admin, ctx.today())
        view = sealed_view(
            ctx.deps.settings.slack_signing_secret,
            team,
            ctx.who.user_id,
            escalate_modal(ctx.who.lang, ticket),
        )
        client, trigger = ctx.client, ctx.command["trigger_id"]
        respond, lang = ctx.respond, ctx.who.lang
        return Reply(
            ctx.t("issue.escalate.opening", number=number),
            after=[lambda: open_view(client, respond, lang, trigger, view)],
        )
    now, packet = ctx.deps.now(), {"note": note}
    change, routed = tickets.escalate(
        ctx.session, team, number, ctx.who.user_id, now, ctx.admin, packet, day=ctx.today()
    )
    leads = told(routed, role_name(ctx.deps.catalog, routed.role_key, ctx.who.lang), ctx.who.lang)
    return ctx.changed(change, "issue.escalated", users=leads)


def cmd_resolve(ctx: Ctx, rest: str) -> Reply:
    """`/issue resolve <n> root cause: …; solution: …`."""
    number, tail = _number_and_rest(rest)
    root_cause, solution = parse_resolution(tail)
    now = ctx.deps.now()
    change = tickets.resolve(
        ctx.session, ctx.who.team_id, number, ctx.who.user_id, root_cause, solution, now, ctx.admin
    )
    return ctx.changed(change, "issue.resolved")


def cmd_close(ctx: Ctx, rest: str) -> Reply:
    """`/issue close <n>`."""
    number, _ = _number_and_rest(rest)
    change = tickets.close(
        ctx.session, ctx.who.team_id, number, ctx.who.user_id, ctx.deps.now(), ctx.admin
    )
    return ctx.changed(change, "issue.closed")


def cmd_reopen(ctx: Ctx, rest: str) -> Reply:
    """`/issue reopen <n>`."""
    number, _ = _number_and_rest(rest)
    change = tickets.reopen(
        ctx.session, ctx.who.team_id, number, ctx.who.user_id, ctx.deps.now(), ctx.admin
    )
    return ctx.changed(change, "issue.reopened")


def cmd_causes(ctx: Ctx, rest: str) -> Reply:
    """`/issue causes [days]`: what resolved tickets were about."""
    word = (rest.split() or ["30"])[0]
    if not word.isdigit():
        raise UsageError("issue.causes.bad_days", usage=USAGE, text=word, limit=queries.MAX_DAYS)
    found = queries.causes(ctx.session, ctx.who.team_id, int(word), ctx.deps.now())
    period = ctx.t("issue.causes.period", count=found.days)
    if not found.resolved:
        return Reply(ctx.t("issue.causes.none", period=period))
    lines = [ctx.t("issue.causes.title", period=period, count=found.resolved)]
    lines += [ctx.t("issue.causes.line", text=escape(c[:200]), count=n) for c, n in found.causes]
    shown = joined(
        ctx.who.lang, (f"{ctx.t(f'issue.category.{c}')} {n}" for c, n in found.categories)
    )
    lines.append(ctx.t("issue.causes.categories", categories=shown))
    return Reply("\n".join(lines)[:3000])


SUBCOMMANDS: dict[str, Callable[[Ctx, str], Reply]] = {
    "help": cmd_help,
    "list": cmd_list,
    "show": cmd_show,
    "search": cmd_search,
    "take": cmd_take,
    "assign": cmd_assign,
    "status": cmd_status,
    "escalate": cmd_escalate,
    "resolve": cmd_resolve,
    "close": cmd_close,
    "reopen": cmd_reopen,
    "causes": cmd_causes,
}
# Chinese names of the subcommands, as people type them.
ALIASES: dict[str, str] = {
    "帮助": "help",
    "列表": "list",
    "查看": "show",
    "搜索": "search",
    "领取": "take",
    "指派": "assign",
    "状态": "status",
    "升级": "escalate",
    "解决": "resolve",
    "关闭": "close",
    "重新打开": "reopen",
    "原因": "causes",
}
