"""Where standup messages landed in Slack, recorded once their delivery reports back: the
prompt DM (or the scheduled message that will post it), the digest, each answer's reply.

A prompt scheduled in Slack (chat.scheduleMessage) reports no ts: Slack gives it to nobody
when it posts. Its ts is learnt when the person presses its Answer button (the click says
which message it was on: `prompt_clicked`), so that the DM can be marked answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from domain.config import Defaults
from domain.schedules import ANSWERED, Schedule, participant_key
from services.config import person_lang
from services.standup_context import as_schedule
from storage.digests import digest_by_id, record_digest_message
from storage.models import PromptOccurrence
from storage.occurrences import occurrence_by_id, record_prompt_message
from storage.prompt_answers import answer_by_id, record_answer_thread
from storage.schedules import schedule_by_id


def prompt_sent(
    session: Session,
    team_id: str,
    occurrence_id: int,
    channel: str,
    ts: str | None = None,
    scheduled_message_id: str | None = None,
) -> bool:
    """Record the prompt DM (`ts`), or the scheduled message that will post it (what
    chat.deleteScheduledMessage needs to cancel it); False for an unknown occurrence."""
    row = occurrence_by_id(session, occurrence_id)
    if row is None or row.team_id != team_id:
        return False
    record_prompt_message(session, row, channel, ts, scheduled_message_id)
    return True


@dataclass(frozen=True)
class PromptAnswered:
    """The prompt DM at (`channel`, `ts`) to mark answered, in its reader's language `lang`
    (once per message: `key`)."""

    key: str
    team_id: str
    occurrence_id: int
    lang: str
    schedule: Schedule
    local_date: date
    cutoff_at: datetime
    channel: str
    ts: str


def answered_prompt(
    session: Session, settings: Defaults, row: PromptOccurrence
) -> PromptAnswered | None:
    """What marking the answered occurrence's prompt DM needs; None while its ts is unknown
    (a scheduled prompt nobody has clicked yet) or its schedule is gone."""
    stored = schedule_by_id(session, row.team_id, row.schedule_id)
    if not (row.dm_channel and row.dm_ts) or stored is None:
        return None
    base = participant_key(row.schedule_id, row.local_date, row.user_id, "prompt")
    return PromptAnswered(
        key=f"{base}:answered:{row.dm_ts}",
        team_id=row.team_id,
        occurrence_id=row.id,
        lang=person_lang(session, settings, row.team_id, row.user_id),
        schedule=as_schedule(stored),
        local_date=row.local_date,
        cutoff_at=row.cutoff_at,
        channel=row.dm_channel,
        ts=row.dm_ts,
    )


def prompt_clicked(
    session: Session,
    settings: Defaults,
    team_id: str,
    user_id: str,
    occurrence_id: int,
    channel: str,
    ts: str,
) -> PromptAnswered | None:
    """The person pressed the Answer button of their prompt DM at (`channel`, `ts`): record
    its ts if it was not known (a scheduled prompt). Returns the DM to mark answered when
    this click taught its ts and the occurrence is answered already (by `/standup`)."""
    row = occurrence_by_id(session, occurrence_id)
    if row is None or row.team_id != team_id or row.user_id != user_id or row.dm_ts:
        return None
    if row.dm_channel and row.dm_channel != channel:
        return None  # not the DM the prompt was scheduled in
    record_prompt_message(session, row, channel, ts, row.scheduled_message_id)
    return answered_prompt(session, settings, row) if row.state == ANSWERED else None


def digest_posted(session: Session, team_id: str, digest_id: int, ts: str) -> bool:
    """Record the digest's channel message; False when unknown or recorded before."""
    digest = digest_by_id(session, digest_id)
    return (
        digest is not None
        and digest.team_id == team_id
        and record_digest_message(session, digest, ts)
    )


def reply_posted(session: Session, team_id: str, answer_id: int, ts: str) -> bool:
    """Record an answer's reply in the digest's thread; False when unknown or recorded."""
    answer = answer_by_id(session, answer_id)
    return (
        answer is not None
        and answer.team_id == team_id
        and record_answer_thread(session, answer, ts)
    )
