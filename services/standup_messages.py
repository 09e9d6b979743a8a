"""Where standup messages landed in Slack, recorded once their delivery reports back: the
prompt DM (or the scheduled message that will post it), the digest, each answer's reply."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.digests import digest_by_id, record_digest_message
from storage.occurrences import occurrence_by_id, record_prompt_message
from storage.prompt_answers import answer_by_id, record_answer_thread


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
