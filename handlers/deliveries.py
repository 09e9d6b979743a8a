"""`/rolecall deliveries` (admins): what Rolecall could not send and why, and a way to send
it again once the cause is fixed (`/rolecall deliveries retry [id|all]` or the Retry button).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond

from domain.errors import UsageError
from handlers.access import require_admin
from handlers.context import Requester, requester
from handlers.deps import Deps
from handlers.errors import guarded
from handlers.mrkdwn import escape
from handlers.replies import ephemeral
from handlers.users import UserDirectory
from i18n import t
from services import deliveries as outbox

USAGE = "deliveries.usage"
RETRY_ACTION = "deliveries_retry"
# Slack's reasons we explain in the reader's language; others are shown as Slack says them.
EXPLAINED = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "invalid_auth",
        "invalid_blocks",
        "user_not_found",
        "missing_scope",
        "token_revoked",
        "msg_too_long",
    }
)


def reason_text(reason: str, lang: str) -> str:
    """Slack's reason, explained when we know it (the code is kept: admins search for it)."""
    code = reason.rsplit(": ", 1)[-1].strip()
    shown = f"`{escape(reason[:200])}`"
    return f"{t(lang, f'deliveries.reason.{code}')} ({shown})" if code in EXPLAINED else shown


def listing(deps: Deps, who: Requester) -> dict[str, Any]:
    """The failed deliveries, newest first, with a Retry button."""
    with deps.db.begin() as session:
        failed = outbox.failures(session, who.team_id)
    if not failed:
        return ephemeral(t(who.lang, "deliveries.none"))
    lines = [t(who.lang, "deliveries.title", count=len(failed))]
    for item in failed:
        target = f"<#{item.target}>" if item.target[:1] in "CG" else f"<@{item.target}>"
        lines.append(
            t(
                who.lang,
                "deliveries.line",
                id=item.id,
                kind=escape(item.kind),
                target=target if item.target else "?",
                reason=reason_text(item.reason, who.lang),
            )
        )
    text = "\n".join(lines)
    button: dict[str, Any] = {
        "type": "button",
        "action_id": RETRY_ACTION,
        "value": "all",
        "text": {"type": "plain_text", "text": t(who.lang, "deliveries.retry_button")},
    }
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}},
        {"type": "actions", "elements": [button]},
    ]
    return ephemeral(text[:3000], blocks)


def retry(deps: Deps, who: Requester, what: str) -> str:
    """Send failed deliveries again: one by its ID, or `all`."""
    what = what.strip().lower() or "all"
    if what != "all" and not what.isdigit():
        raise UsageError("deliveries.bad_id", usage=USAGE)
    with deps.db.begin() as session:
        count = outbox.retry_failed(session, who.team_id, None if what == "all" else [int(what)])
    return t(who.lang, "deliveries.retried", count=count)


def answer(deps: Deps, directory: UserDirectory, who: Requester, rest: str) -> dict[str, Any]:
    """`/rolecall deliveries [retry [id|all]]` for admins: the ack body."""
    with deps.db.begin() as session:
        require_admin(deps, directory, session, who)
    sub, _, arg = rest.strip().partition(" ")
    if sub == "":
        return listing(deps, who)
    if sub.lower() == "retry":
        return ephemeral(retry(deps, who, arg))
    raise UsageError("deliveries.bad_id", usage=USAGE)


def register(app: App, deps: Deps, directory: UserDirectory) -> None:
    """Wire the Retry button (the command is `/rolecall deliveries`, see handlers.rolecall)."""

    def ack_only(ack: Ack) -> None:
        ack()

    def retry_pressed(body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        """Send them again and answer in place (the dispatcher is woken by the commit)."""
        who = requester(context)
        with deps.db.begin() as session:
            require_admin(deps, directory, session, who)
        respond(replace_original=True, text=retry(deps, who, "all"))

    app.action(RETRY_ACTION)(ack=ack_only, lazy=[guarded(retry_pressed)])
