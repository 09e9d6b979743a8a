"""Standup due work and what an answer sends: each claimed prompt, reminder, digest post or
update, thread reply and blocker DM becomes an outbox delivery IN THE SAME TRANSACTION as
its claim, so a crash loses both and the next tick claims them again (exactly once).

Prompts are claimed HORIZON ahead and scheduled in Slack (chat.scheduleMessage) for their
local time, so Slack posts each on time however many there are; what is too near to schedule
is posted directly at its time (domain.delivery.SCHEDULE_LEAD). The reminder replies in the
prompt's thread when its ts is known (posted directly) or can be looked up (scheduled).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from domain import schedules
from domain.delivery import ADOPT_ONLY, SCHEDULE
from domain.standup_questions import questions_key
from handlers.delivery import Kind, Outgoing
from handlers.deps import Deps
from handlers.standup_blocks import (
    answer_text,
    answered_prompt,
    blocker_notice,
    digest_message,
    prompt_block_id,
    prompt_message,
    reminder_message,
)
from services import deliveries as outbox
from services.config import channel_lang, person_lang
from services.roles import workspace_catalog
from services.standup_answers import AnswerSaved
from services.standup_digest import DigestState
from services.standup_messages import PromptAnswered, prompt_sent
from services.standup_presence import REQUEUE, prompt_deleted, prompt_key
from services.standup_tick import Due, PromptDue, ReminderDue, tick
from storage.models import OutboxDelivery
from storage.occurrences import occurrence_by_id

log = logging.getLogger(__name__)
# How far ahead prompts are claimed and scheduled. chat.scheduleMessage is Tier 3: ~50 a
# minute a workspace (the pacer's 97 %: 48.5), so 5 000 prompts in one time zone take 103
# minutes to schedule; four hours hold ~11 600 prompts of one instant, with room for
# retries. Longer would freeze a prompt's content (its questions) earlier and leave more
# to cancel when people go away; Slack would allow 120 days.
HORIZON = timedelta(hours=4)
PROMPT, REMINDER = "standup_prompt", "standup_reminder"
ANSWERED = "standup_answered"


def _names(session: Session, deps: Deps, team_id: str, lang: str) -> dict[str, str]:
    catalog = workspace_catalog(session, team_id, deps.catalog)
    return {key: role.name(lang) for key, role in catalog.roles.items()}


def enqueue_digest(
    session: Session, deps: Deps, state: DigestState, now: datetime, cause: str | None = None
) -> int:
    """Post the digest (`state.post`), or update it in place: the final state, or the new
    state after `cause` (an answer); pending updates of one digest coalesce into the latest."""
    lang = channel_lang(session, deps.settings, state.team_id)
    text, blocks = digest_message(state, lang, _names(session, deps, state.team_id, lang))
    if state.post:
        return int(
            outbox.post(
                session,
                state.team_id,
                state.post_key,
                state.channel,
                text,
                now=now,
                blocks=blocks,
                kind="standup_digest",
            )
        )
    key = state.final_key if state.final else state.update_key(now, cause or "tick")
    return int(
        outbox.update(
            session,
            state.team_id,
            key,
            text,
            now=now,
            blocks=blocks,
            anchor=state.post_key,
            kind="standup_digest",
            coalesce_key=state.post_key,
        )
    )


def _enqueue_prompts(session: Session, prompts: list[PromptDue], now: datetime) -> int:
    """Prompts due now go directly; those ahead are scheduled in Slack, per workspace."""
    made = 0
    ahead: dict[str, list[outbox.ScheduledDm]] = {}
    for prompt in prompts:
        text, blocks = prompt_message(prompt)
        # Ours, not Slack's: where it goes back to, and what it asks (services
        # .standup_presence.requeue sends it again when the person's roles ask otherwise).
        ref = {"occurrence_id": prompt.occurrence_id, "questions": questions_key(prompt.fields)}
        if prompt.post_at is None:
            made += outbox.dm(
                session,
                prompt.team_id,
                prompt.key,
                prompt.user_id,
                text,
                now=now,
                blocks=blocks,
                kind=PROMPT,
                extra=ref,
            )
            continue
        ahead.setdefault(prompt.team_id, []).append(
            outbox.ScheduledDm(prompt.key, prompt.user_id, text, prompt.post_at, blocks, ref)
        )
    for team_id, dms in ahead.items():
        made += outbox.schedule_dms(session, team_id, dms, now=now, kind=PROMPT)
    return made


def _enqueue_reminder(session: Session, reminder: ReminderDue, now: datetime) -> bool:
    """The reminder in the prompt's thread: its ts known (the prompt was posted directly),
    or looked up when sent (scheduled: Slack told nobody its ts); top-level otherwise."""
    text, blocks = reminder_message(reminder)
    if reminder.dm_channel and reminder.dm_ts:
        return outbox.post(
            session,
            reminder.team_id,
            reminder.key,
            reminder.dm_channel,
            text,
            now=now,
            blocks=blocks,
            thread_ts=reminder.dm_ts,
            kind=REMINDER,
        )
    thread = None
    if reminder.dm_channel and reminder.scheduled:
        thread = {
            "channel": reminder.dm_channel,
            "block_id": prompt_block_id(reminder.occurrence_id),
        }
    return outbox.dm(
        session,
        reminder.team_id,
        reminder.key,
        reminder.user_id,
        text,
        now=now,
        blocks=blocks,
        kind=REMINDER,
        extra={"find_thread": thread} if thread else None,
    )


def enqueue_due(session: Session, deps: Deps, due: Due, now: datetime) -> int:
    """Everything one tick claimed, as deliveries in the claim's transaction."""
    made = _enqueue_prompts(session, due.prompts, now)
    for reminder in due.reminders:
        made += _enqueue_reminder(session, reminder, now)
    for state in due.digests:
        made += enqueue_digest(session, deps, state, now)
    return made


def enqueue_answered(session: Session, prompt: PromptAnswered, now: datetime) -> bool:
    """The prompt DM updated in place to say it is answered (once per DM message)."""
    text, blocks = answered_prompt(prompt)
    return outbox.update(
        session,
        prompt.team_id,
        prompt.key,
        text,
        now=now,
        blocks=blocks,
        channel=prompt.channel,
        ts=prompt.ts,
        kind=ANSWERED,
    )


def enqueue_answer(
    session: Session, deps: Deps, team_id: str, saved: AnswerSaved, now: datetime
) -> int:
    """A saved answer: the prompt DM marked answered, the digest updated in place, the
    answer in its thread (replaced on an edit), and a DM to each person a blocker is routed
    to (once per blocker)."""
    made = 0
    if saved.prompt is not None:
        made += enqueue_answered(session, saved.prompt, now)
    state = saved.digest
    if state is not None:
        made += enqueue_digest(session, deps, state, now, cause=saved.user_id)
        lang = channel_lang(session, deps.settings, team_id)
        mine = next(
            (a for _, group in state.by_role for a in group if a.user_id == saved.user_id), None
        )
        if mine is not None:
            kind = "progress" if saved.schedule.kind == "progress" else "standup"
            names = _names(session, deps, team_id, lang)
            text = answer_text(mine, saved.local_date, lang, kind, names)
            if saved.edited and saved.reply.update_key:
                made += outbox.update(
                    session,
                    team_id,
                    saved.reply.update_key,
                    text,
                    now=now,
                    anchor=saved.reply.key,
                    kind="standup_reply",
                    coalesce_key=saved.reply.key,
                )
            else:
                made += outbox.post(
                    session,
                    team_id,
                    saved.reply.key,
                    state.channel,
                    text,
                    now=now,
                    anchor=saved.reply.digest_key,
                    kind="standup_reply",
                )
    for notice in saved.notices:
        lang = person_lang(session, deps.settings, team_id, notice.to_user)
        made += outbox.dm(
            session,
            team_id,
            notice.key,
            notice.to_user,
            blocker_notice(notice, lang, _names(session, deps, team_id, lang)),
            now=now,
            kind="standup_blocker",
        )
    return made


def _render_prompt(
    session: Session, row: OutboxDelivery, planned: Outgoing, now: datetime
) -> Outgoing | None:
    """The prompt as claimed; None once withdrawn (the person dropped out, or it was
    claimed again since) — its deletion finds nothing to delete when the scheduling in
    doubt at the withdrawal turns into a direct post. A scheduling in doubt may already
    be held in Slack: looked up only (adopted, its deletion then deletes it), never sent."""
    occurrence_id = (row.payload or {}).get("occurrence_id")
    if occurrence_id is not None and _withdrawn(session, row.key, int(occurrence_id)):
        if not (row.uncertain and planned.method == SCHEDULE and not planned.args.get("direct")):
            return None
        planned = replace(planned, args={**planned.args, ADOPT_ONLY: True})
    args = dict(planned.args)
    args.pop("occurrence_id", None)
    args.pop("questions", None)
    return Outgoing(planned.method, planned.channel, args)


def _withdrawn(session: Session, key: str, occurrence_id: int) -> bool:
    occurrence = occurrence_by_id(session, occurrence_id)
    return (
        occurrence is None
        or occurrence.prompted_at is None
        or occurrence.state not in (schedules.PROMPTED, schedules.REMINDED, schedules.ANSWERED)
        or prompt_key(occurrence) != key
    )


def _prompt_sent(session: Session, row: OutboxDelivery) -> None:
    """Where the prompt went: its DM's ts (posted), or the scheduled message's ID (to
    delete it if the person drops out before it posts)."""
    occurrence = (row.payload or {}).get("occurrence_id")
    if occurrence is None or not row.result_channel:
        return
    scheduled = (row.payload or {}).get("scheduled_message_id")
    prompt_sent(session, row.team_id, int(occurrence), row.result_channel, row.result_ts, scheduled)


def _requeue_deleted(session: Session, row: OutboxDelivery) -> None:
    """A prompt with stale questions was deleted before it posted: claim it again."""
    occurrence = (row.payload or {}).get("occurrence_id")
    if occurrence is not None:
        prompt_deleted(session, row.team_id, int(occurrence), row.sent_at or row.created_at)


def standup_kinds() -> dict[str, Kind]:
    """The dispatcher's standup kinds: a prompt records where it went; a prompt deleted to
    be sent with new questions goes back to be claimed."""
    return {
        PROMPT: Kind(render=_render_prompt, on_sent=_prompt_sent),
        REQUEUE: Kind(on_sent=_requeue_deleted),
    }


def run_standups(deps: Deps, client: WebClient, now: datetime) -> int:
    """Claim and enqueue every standup delivery due at `now`, one batch per transaction;
    missed work is logged (a prompt after its cut-off is skipped)."""
    del client  # deliveries go through the outbox
    made = 0
    while True:
        with deps.db.begin() as session:
            due = tick(session, now, deps.catalog, deps.settings, horizon=HORIZON)
            made += enqueue_due(session, deps, due, now)
        for missed in due.missed:
            log.warning(
                "standup prompt for %s (schedule %s, %s) skipped: its cut-off %s passed while "
                "Rolecall was down",
                missed.user_id,
                missed.schedule_id,
                missed.local_date,
                missed.cutoff_at.isoformat(),
            )
        for slot in due.missed_slots:
            log.warning("standup occurrence skipped, no longer useful: %s", slot)
        if not due.more:
            return made
