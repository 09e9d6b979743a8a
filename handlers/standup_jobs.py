"""Standup due work and what an answer sends: each claimed prompt, reminder, digest post or
update, thread reply and blocker DM becomes an outbox delivery IN THE SAME TRANSACTION as
its claim, so a crash loses both and the next tick claims them again (exactly once).

Prompts are sent when due (horizon 0): `rolecall serve` ticks every minute, so a prompt
leaves within a minute of its local time plus the fan-out's pacing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from domain.config import Defaults
from handlers.deps import Deps
from handlers.standup_blocks import (
    answer_text,
    blocker_notice,
    digest_message,
    prompt_message,
    reminder_message,
)
from i18n import lang_of
from services import deliveries as outbox
from services.config import channel_lang as workspace_language
from services.roles import workspace_catalog
from services.standup_answers import AnswerSaved
from services.standup_digest import DigestState
from services.standup_tick import Due, tick
from storage.profiles import get_profile

log = logging.getLogger(__name__)
HORIZON = timedelta(0)  # claim prompts when due; see the module docstring


def channel_lang(session: Session, settings: Defaults, team_id: str) -> str:
    """The language of channel messages (digests): `/rolecall config language`."""
    return workspace_language(session, settings, team_id)


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


def enqueue_due(session: Session, deps: Deps, due: Due, now: datetime) -> int:
    """Everything one tick claimed, as deliveries in the claim's transaction."""
    made = 0
    for prompt in due.prompts:
        text, blocks = prompt_message(prompt)
        made += outbox.dm(
            session,
            prompt.team_id,
            prompt.key,
            prompt.user_id,
            text,
            now=now,
            blocks=blocks,
            kind="standup_prompt",
            not_before=prompt.post_at,
        )
    for reminder in due.reminders:
        text, blocks = reminder_message(reminder)
        made += outbox.dm(
            session,
            reminder.team_id,
            reminder.key,
            reminder.user_id,
            text,
            now=now,
            blocks=blocks,
            kind="standup_reminder",
        )
    for state in due.digests:
        made += enqueue_digest(session, deps, state, now)
    return made


def enqueue_answer(
    session: Session, deps: Deps, team_id: str, saved: AnswerSaved, now: datetime
) -> int:
    """A saved answer: the digest updated in place, the answer in its thread (replaced on
    an edit), and a DM to each person a blocker is routed to (once per blocker)."""
    made = 0
    state = saved.digest
    if state is not None:
        made += enqueue_digest(session, deps, state, now, cause=saved.user_id)
        lang = channel_lang(session, deps.settings, team_id)
        mine = next(
            (a for _, group in state.by_role for a in group if a.user_id == saved.user_id), None
        )
        if mine is not None:
            kind = "progress" if saved.schedule.kind == "progress" else "standup"
            text = answer_text(mine, saved.local_date, lang, kind)
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
        profile = get_profile(session, team_id, notice.to_user)
        lang = lang_of(profile.locale if profile else None)
        made += outbox.dm(
            session,
            team_id,
            notice.key,
            notice.to_user,
            blocker_notice(notice, lang),
            now=now,
            kind="standup_blocker",
        )
    return made


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
