"""The ticket card's buttons and the support queue's modals (file, resolve, escalate)."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from domain.tickets import (
    DEFAULT_CATEGORY,
    DEFAULT_SEVERITY,
    parse_category,
    parse_number,
    parse_severity,
)
from handlers import issue_notify
from handlers.access import admin_check
from handlers.context import requester
from handlers.deps import Deps
from handlers.errors import after_ack
from handlers.installation import INSTALLATION_KEY
from handlers.issue import filed_text
from handlers.issue_blocks import (
    ACTION_ANALYZE,
    ACTION_CLOSE,
    ACTION_ESCALATE,
    ACTION_REOPEN,
    ACTION_RESOLVE,
    ACTION_TAKE,
    CARD_ACTIONS,
    ESCALATE_FIELDS,
    ESCALATE_VIEW,
    FILE_VIEW,
    RESOLVE_FIELDS,
    RESOLVE_VIEW,
    done_view,
    escalate_modal,
    headline,
    resolve_modal,
    submitted,
)
from handlers.issue_events import filed_as
from handlers.users import UserDirectory
from handlers.view_meta import own_permalink, sealed_view, view_meta
from i18n import t
from services import tickets
from services.roles import today


class TicketListeners:
    """The card buttons and the ticket modals' submissions: change in the ack, deliveries
    enqueued with the change (the outbox sends them)."""

    def __init__(self, deps: Deps, directory: UserDirectory) -> None:
        self.deps, self.directory = deps, directory

    def card_button(
        self,
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
    ) -> None:
        """Change the ticket in the ack; card, thread and DMs follow after it."""
        who = requester(context)
        number, aid, now = (
            parse_number(str(action.get("value"))),
            action["action_id"],
            self.deps.now(),
        )
        team, me = who.team_id, who.user_id
        with self.deps.db.begin() as session:
            admin = admin_check(self.deps, self.directory, session, who)
            if aid in (ACTION_RESOLVE, ACTION_ESCALATE):
                # The modal opens only for someone allowed to submit it (checked again then).
                ticket = tickets.get_ticket(session, team, number)
                if aid == ACTION_RESOLVE:
                    tickets.require(session, ticket, "resolve", me, admin)
                    view = resolve_modal(who.lang, ticket)
                else:
                    day = today(session, self.deps.settings, team, now)
                    tickets.check_escalation(session, ticket, me, admin, day)
                    view = escalate_modal(who.lang, ticket)
                view = sealed_view(self.deps.settings.slack_signing_secret, team, me, view)
                ack()
                trigger = body["trigger_id"]
                after_ack(self.deps, lambda: client.views_open(trigger_id=trigger, view=view))
                return
            operation = {
                ACTION_TAKE: tickets.take,
                ACTION_ANALYZE: tickets.analyze,
                ACTION_CLOSE: tickets.close,
                ACTION_REOPEN: tickets.reopen,
            }[aid]
            change = operation(session, team, number, me, now, admin)
            issue_notify.changed(session, self.deps, team, change)
        ack()

    def file_submitted(self, ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        """File the modal's ticket; a second submission of the same view files nothing."""
        who = requester(context)
        summary = submitted(view, "summary").strip()
        if not summary:
            ack(response_action="errors", errors={"summary": t(who.lang, "issue.no_summary")})
            return
        meta = _trusted_meta(self.deps, who.team_id, who.user_id, view)
        if meta is None:
            ack(response_action="errors", errors={"summary": t(who.lang, "issue.form_expired")})
            return
        filed = tickets.NewTicket(
            summary=summary,
            severity=parse_severity(submitted(view, "severity") or DEFAULT_SEVERITY),
            category=parse_category(submitted(view, "category") or DEFAULT_CATEGORY),
            description=submitted(view, "description"),
            customer=submitted(view, "customer").strip() or None,
        )
        installation = context.get(INSTALLATION_KEY)
        source = _source(meta, getattr(installation, "url", None))
        # One ticket per message (whichever way it is filed), else one per modal.
        key = f"msg:{source.channel}:{source.ts}" if source else f"view:{view.get('id')}"
        with self.deps.db.begin() as session:
            ticket, created = tickets.file_ticket(
                session,
                who.team_id,
                who.user_id,
                filed,
                self.deps.now(),
                dedupe_key=key,
                source=source,
            )
            if created:
                if source is not None:
                    filed_as(
                        session,
                        self.deps,
                        who,
                        ticket,
                        source.channel,
                        source.thread_ts or source.ts,
                    )
                routed = issue_notify.filed(session, self.deps, ticket)
                title = headline(ticket)
                text = filed_text(self.deps, session, who, ticket.number, title, routed)
            else:
                text = t(who.lang, "issue.already_filed", number=ticket.number)
        ack(response_action="update", view=done_view(who.lang, text))

    def resolve_submitted(self, ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        """Resolve with the modal's root cause and solution (both required)."""
        who = requester(context)
        parts = {name: submitted(view, name).strip() for name in RESOLVE_FIELDS}
        missing = {k: t(who.lang, "issue.modal.required") for k, v in parts.items() if not v}
        if missing:
            ack(response_action="errors", errors=missing)
            return
        number = parse_number(_trusted_meta(self.deps, who.team_id, who.user_id, view) or "")
        with self.deps.db.begin() as session:
            change = tickets.resolve(
                session,
                who.team_id,
                number,
                who.user_id,
                parts["root_cause"],
                parts["solution"],
                self.deps.now(),
                admin_check(self.deps, self.directory, session, who),
            )
            issue_notify.changed(session, self.deps, who.team_id, change)
        ack()

    def escalate_submitted(self, ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        """Send the escalation packet to the tech lead."""
        who = requester(context)
        packet = {name: submitted(view, name).strip() for name in ESCALATE_FIELDS}
        number = parse_number(_trusted_meta(self.deps, who.team_id, who.user_id, view) or "")
        with self.deps.db.begin() as session:
            admin = admin_check(self.deps, self.directory, session, who)
            now = self.deps.now()
            day = today(session, self.deps.settings, who.team_id, now)
            change, _ = tickets.escalate(
                session, who.team_id, number, who.user_id, now, admin, packet, day=day
            )
            issue_notify.changed(session, self.deps, who.team_id, change)
        ack()


def register(app: App, deps: Deps, directory: UserDirectory) -> None:
    """Wire the card buttons and the modal submissions."""
    listeners = TicketListeners(deps, directory)
    for action_id in CARD_ACTIONS:
        app.action(action_id)(listeners.card_button)
    app.view(FILE_VIEW)(listeners.file_submitted)
    app.view(RESOLVE_VIEW)(listeners.resolve_submitted)
    app.view(ESCALATE_VIEW)(listeners.escalate_submitted)


def _trusted_meta(deps: Deps, team_id: str, user_id: str, view: dict[str, Any]) -> str | None:
    """The modal's metadata when the app signed it for this person; an empty one (a form
    that carries nothing) is "{}"; None for anything else (forged or altered)."""
    meta = view.get("private_metadata")
    if meta in (None, "", "{}"):
        return "{}"
    return view_meta(deps.settings.slack_signing_secret, team_id, user_id, view)


def _source(text: str, workspace_url: str | None) -> tickets.Source | None:
    """The message a shortcut's modal was opened on (kept in private_metadata); its
    permalink only when it is on the workspace's own Slack domain."""
    try:
        meta = json.loads(text or "{}")
    except ValueError:
        return None
    source = meta.get("source") if isinstance(meta, dict) else None
    if not isinstance(source, dict) or not source.get("channel") or not source.get("ts"):
        return None
    return tickets.Source(
        channel=str(source["channel"]),
        ts=str(source["ts"]),
        thread_ts=source.get("thread_ts"),
        permalink=own_permalink(source.get("permalink"), workspace_url),
    )
