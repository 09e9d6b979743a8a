"""`/standup` and `/progress`: schedules (admin), holidays, skip/pause/resume, reports, and
the answer modal (no text, the DM's Answer button, App Home's); answers are saved in the
submission's ack and what they send goes through the outbox (handlers.standup_jobs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from domain.errors import RolecallError, UsageError
from domain.parsing import split_command
from domain.schedules import PROGRESS, STANDUP
from handlers.access import require_admin
from handlers.context import Requester, requester
from handlers.deps import Deps
from handlers.errors import after_ack
from handlers.replies import ephemeral, error_text
from handlers.standup_blocks import (
    ANSWER,
    ANSWER_VIEW,
    answer_modal,
    occurrence_of,
    prompt_block_id,
    report_text,
    saved_view,
    schedule_line,
    submitted_values,
)
from handlers.standup_jobs import enqueue_answer, enqueue_answered
from handlers.users import UserDirectory
from i18n import t
from services import standup_answers as answers
from services import standup_reports as reports
from services import standup_schedules as schedules
from services.standup_messages import prompt_clicked

USAGE = {STANDUP: "standup.usage", PROGRESS: "progress.usage"}
Sub = Callable[[Deps, UserDirectory, Session, Requester, str, str], str]


def _schedule(
    deps: Deps, d: UserDirectory, s: Session, who: Requester, kind: str, rest: str
) -> str:
    require_admin(deps, d, s, who)
    view = schedules.add_schedule(s, who.team_id, deps.catalog, kind, rest, who.user_id, deps.now())
    return t(who.lang, "standup.scheduled", line=schedule_line(view, who.lang))


def _list(deps: Deps, d: UserDirectory, s: Session, who: Requester, kind: str, rest: str) -> str:
    found = schedules.list_schedules(s, who.team_id, deps.catalog, kind)
    if not found:
        return t(who.lang, f"{_name(kind)}.schedules.none")
    return "\n".join(
        [t(who.lang, f"{_name(kind)}.schedules.title")]
        + [schedule_line(v, who.lang) for v in found]
    )


def _unschedule(
    deps: Deps, d: UserDirectory, s: Session, who: Requester, kind: str, rest: str
) -> str:
    require_admin(deps, d, s, who)
    removal = schedules.remove_schedule(
        s, who.team_id, deps.catalog, kind, rest, who.user_id, deps.now()
    )
    return t(
        who.lang,
        "standup.unscheduled",
        id=removal.schedule.schedule.id,
        count=removal.withdrawn,
    )


def _holidays(
    deps: Deps, d: UserDirectory, s: Session, who: Requester, kind: str, rest: str
) -> str:
    if rest.strip():
        require_admin(deps, d, s, who)
    calendar = schedules.set_holidays(s, who.team_id, deps.settings, rest)
    if calendar:
        return t(who.lang, "standup.holidays.set", country=calendar)
    return t(who.lang, "standup.holidays.none")


def _skip(deps: Deps, d: UserDirectory, s: Session, who: Requester, kind: str, rest: str) -> str:
    done = schedules.skip(s, who.team_id, deps.settings, who.user_id, rest, deps.now())
    return t(who.lang, "standup.skipped", until=done.until.isoformat() if done.until else "")


def _pause(deps: Deps, d: UserDirectory, s: Session, who: Requester, kind: str, rest: str) -> str:
    schedules.pause(s, who.team_id, deps.settings, who.user_id, deps.now())
    return t(who.lang, "standup.paused")


def _resume(deps: Deps, d: UserDirectory, s: Session, who: Requester, kind: str, rest: str) -> str:
    done = schedules.resume(s, who.team_id, who.user_id, deps.now())
    return t(who.lang, "standup.resumed", restored=done.restored)


def _report(deps: Deps, d: UserDirectory, s: Session, who: Requester, kind: str, rest: str) -> str:
    found = reports.report(
        s, who.team_id, deps.catalog, deps.settings, kind, rest, who.user_id, deps.now()
    )
    return report_text(found, who.lang)


def _help(deps: Deps, d: UserDirectory, s: Session, who: Requester, kind: str, rest: str) -> str:
    return t(who.lang, f"{_name(kind)}.help") + "\n" + t(who.lang, USAGE[kind])


COMMON: dict[str, Sub] = {
    "schedule": _schedule,
    "schedules": _list,
    "unschedule": _unschedule,
    "report": _report,
    "help": _help,
}
SUBCOMMANDS: dict[str, dict[str, Sub]] = {
    STANDUP: {
        **COMMON,
        "holidays": _holidays,
        "skip": _skip,
        "pause": _pause,
        "resume": _resume,
    },
    PROGRESS: dict(COMMON),
}


def _name(kind: str) -> str:
    return "progress" if kind == PROGRESS else "standup"


def _open_modal(
    deps: Deps, who: Requester, client: WebClient, trigger: str, kind: str, occurrence: int | None
) -> None:
    """Build the modal from the store and open it (views.open, after the ack)."""
    with deps.db.begin() as session:
        form = answers.answer_form(
            session,
            who.team_id,
            deps.catalog,
            who.user_id,
            deps.now(),
            kind=kind,
            occurrence_id=occurrence,
        )
    view = answer_modal(form)
    after_ack(deps, lambda: client.views_open(trigger_id=trigger, view=view))


def command(deps: Deps, directory: UserDirectory, kind: str) -> Callable[..., None]:
    """The listener of `/standup` or `/progress`."""

    def standup_command(
        ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Answer from the store inside the ack; no text opens the answer modal."""
        who = requester(context)
        text = str(command.get("text") or "").strip()
        if not text:
            _open_modal(deps, who, client, command["trigger_id"], kind, None)
            ack()
            return
        sub, rest = split_command(text, USAGE[kind])
        handler = SUBCOMMANDS[kind].get(sub)
        if handler is None:
            raise UsageError("standup.error.unknown", usage=USAGE[kind], text=sub)
        with deps.db.begin() as session:
            reply = handler(deps, directory, session, who, kind, rest)
        ack(ephemeral(reply))

    return standup_command


def _prompt_dm(
    body: dict[str, Any], action: dict[str, Any], occurrence: int
) -> tuple[str, str] | None:
    """(channel, ts) of the prompt DM the button was pressed on: a click in a message's
    block of that prompt (not the reminder's button, not App Home's, not an ephemeral)."""
    container = body.get("container") or {}
    if container.get("type") != "message" or container.get("is_ephemeral"):
        return None
    if action.get("block_id") != prompt_block_id(occurrence):
        return None
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return (str(channel), str(ts)) if channel and ts else None


def answer_button(deps: Deps) -> Callable[..., None]:
    """The prompt DM's (and App Home's) Answer button: views.open with its trigger_id."""

    def answer_clicked(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
    ) -> None:
        """Open the modal for the button's occurrence (an error is said in the DM); a click
        on the prompt DM itself tells where it is, if that was unknown (a scheduled one)."""
        who = requester(context)
        try:
            occurrence = int(str(action.get("value")))
        except ValueError:
            ack()
            return
        where = _prompt_dm(body, action, occurrence)
        if where is not None:
            with deps.db.begin() as session:
                answered = prompt_clicked(
                    session, deps.settings, who.team_id, who.user_id, occurrence, *where
                )
                if answered is not None:
                    enqueue_answered(session, answered, deps.now())
        _open_modal(deps, who, client, body["trigger_id"], STANDUP, occurrence)
        ack()

    return answer_clicked


def answer_submitted(deps: Deps) -> Callable[..., None]:
    """Save the modal's answer in the ack; errors show on the modal."""

    def submitted(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        """Save (or replace until the cut-off); what it sends is enqueued in the same commit."""
        who = requester(context)
        occurrence = occurrence_of(view)
        values = submitted_values(view)
        first = next(iter(values), None)
        if occurrence is None:
            ack()
            return
        try:
            with deps.db.begin() as session:
                saved = answers.submit_answer(
                    session,
                    deps.settings,
                    who.team_id,
                    deps.catalog,
                    who.user_id,
                    occurrence,
                    values,
                    deps.now(),
                )
                enqueue_answer(session, deps, who.team_id, saved, deps.now())
        except RolecallError as error:
            text = error_text(who.lang, error, with_usage=False)[:150]
            ack(response_action="errors", errors={first: text} if first else {})
            return
        key = "standup.modal.edited" if saved.edited else "standup.modal.saved"
        ack(response_action="update", view=saved_view(who.lang, t(who.lang, key)))

    return submitted


def register(app: App, deps: Deps, directory: UserDirectory) -> None:
    """Wire `/standup`, `/progress`, the Answer button and the answer modal."""
    app.command("/standup")(command(deps, directory, STANDUP))
    app.command("/progress")(command(deps, directory, PROGRESS))
    app.action(ANSWER)(answer_button(deps))
    app.view(ANSWER_VIEW)(answer_submitted(deps))
