"""The digest of one occurrence as data: who answered (grouped by role, the blocked first),
who is out, who has not answered, and the delivery keys of its channel message.

The message is posted (`post_key`) when the occurrence's first participant is prompted,
updated in place (`update_key`, anchored to `post_key`; a newer update supersedes one not
yet sent when the handler coalesces on `post_key`) as answers come, and made final once
(`final_key`) at the latest cut-off. Each answer is a reply in its thread (`reply_key`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from domain.catalog import Catalog
from domain.schedules import (
    ANSWERED,
    MISSED,
    PENDING,
    SKIPPED,
    Schedule,
    occurrence_key,
    participant_key,
)
from domain.standup import Blocker, DigestEntry, digest_layout
from services.roles import workspace_catalog
from services.standup_blockers import RoutedBlocker, from_json
from services.standup_context import as_schedule
from services.standup_presence import DEACTIVATED, REMOVED, UNASSIGNED
from storage.models import Digest, PromptAnswer, PromptSchedule
from storage.occurrences import occurrences_of
from storage.prompt_answers import answers_of
from storage.schedules import roles_of_people

# Skipped for these reasons, a person is not part of the occurrence any more: not listed.
NOT_LISTED = frozenset({UNASSIGNED, REMOVED, DEACTIVATED})


def post_key(schedule_id: int, local_date: date) -> str:
    """The delivery key of an occurrence's digest message (updates are anchored to it)."""
    return f"{occurrence_key(schedule_id, local_date)}:digest"


@dataclass(frozen=True)
class DigestAnswer:
    """One participant's answer as the digest shows it (its full text goes in the thread)."""

    user_id: str
    roles: tuple[str, ...]
    values: dict[str, str]  # by modal field id (domain.standup_questions)
    done: str
    planned: str
    blockers: tuple[RoutedBlocker, ...]
    submitted_at: datetime
    updated_at: datetime
    thread_ts: str | None
    reply_key: str  # its reply in the digest's thread; an edit updates it (anchored here)

    @property
    def edited(self) -> bool:
        """Whether it was changed after it was first submitted."""
        return self.updated_at > self.submitted_at


@dataclass(frozen=True)
class DigestState:
    """Everything the digest message shows, and how to send it.

    `post`: True when this state is to be posted (key `post_key`); else it updates the
    message `post_key` posted (`ts` when known), with key `update_key(…)` or, when `final`,
    `final_key`.
    """

    team_id: str
    digest_id: int
    schedule: Schedule
    local_date: date
    channel: str
    ts: str | None
    opened_at: datetime
    final_at: datetime
    final: bool
    post: bool
    blocked: tuple[DigestAnswer, ...]  # answers with blockers, first submitted first
    by_role: tuple[tuple[str, tuple[DigestAnswer, ...]], ...]  # role key, catalogue order
    out: tuple[tuple[str, str], ...]  # (user, reason): away, paused, skipped
    waiting: tuple[str, ...]  # prompted, no answer yet (after the cut-off: did not answer)
    later: tuple[str, ...]  # not prompted yet (their zone's time is still to come)
    participants: int

    @property
    def post_key(self) -> str:
        """The delivery key of the channel message."""
        return post_key(self.schedule.id, self.local_date)

    @property
    def final_key(self) -> str:
        """The delivery key of the final update."""
        return f"{self.post_key}:final"

    def update_key(self, at: datetime, cause: str) -> str:
        """The delivery key of an update at `at` caused by `cause` (a user's answer)."""
        return f"{self.post_key}:update:{cause}:{at.timestamp():.6f}"

    @property
    def answered(self) -> int:
        """How many have answered."""
        return sum(len(group) for _, group in self.by_role)


def digest_state(
    session: Session,
    base: Catalog,
    digest: Digest,
    schedule_row: PromptSchedule,
    *,
    post: bool = False,
) -> DigestState:
    """The digest of one occurrence, read from the store: three queries."""
    team_id, day = digest.team_id, digest.local_date
    catalog = workspace_catalog(session, team_id, base)
    schedule = as_schedule(schedule_row)
    rows = [
        r
        for r in occurrences_of(session, team_id, schedule.id, day)
        if not (r.state == SKIPPED and r.reason in NOT_LISTED)
    ]
    answers = {a.user_id: a for a in answers_of(session, team_id, schedule.id, day)}
    held = roles_of_people(session, team_id, {r.user_id for r in rows})
    order = list(catalog.roles)

    def roles_of(user: str) -> tuple[str, ...]:
        mine = held.get(user, set())
        within = mine & set(schedule.roles) if schedule.roles else mine
        return tuple(sorted(within or mine, key=lambda k: order.index(k) if k in order else 999))

    entries, shown = [], {}
    for row in rows:
        answer = answers.get(row.user_id)
        state = ANSWERED if answer is not None else _state(row.state, row.reason)
        roles = roles_of(row.user_id)
        if answer is not None:
            shown[row.user_id] = _answer(answer, roles, schedule.id)
        blockers = shown[row.user_id].blockers if answer is not None else ()
        dated = tuple(Blocker(b.text, b.since) for b in blockers)
        entries.append(DigestEntry(row.user_id, roles, state, dated))
    layout = digest_layout(entries, order)
    return DigestState(
        team_id=team_id,
        digest_id=digest.id,
        schedule=schedule,
        local_date=day,
        channel=digest.channel,
        ts=digest.ts or None,
        opened_at=digest.opened_at,
        final_at=digest.final_at,
        final=digest.final,
        post=post,
        blocked=tuple(shown[e.user_id] for e in layout.blocked),
        by_role=tuple(
            (role, tuple(shown[e.user_id] for e in group)) for role, group in layout.by_role
        ),
        out=tuple((e.user_id, e.state) for e in layout.out),
        waiting=tuple(e.user_id for e in layout.waiting if e.state != PENDING),
        later=tuple(e.user_id for e in layout.waiting if e.state == PENDING),
        participants=len(entries),
    )


def _state(state: str, reason: str | None) -> str:
    if state == SKIPPED:
        return reason or SKIPPED  # away, paused or skipped: listed as out
    return MISSED if state == MISSED else state


def _answer(answer: PromptAnswer, roles: tuple[str, ...], schedule_id: int) -> DigestAnswer:
    return DigestAnswer(
        user_id=answer.user_id,
        roles=roles,
        values=dict(answer.answers or {}),
        done=answer.done,
        planned=answer.planned,
        blockers=from_json(answer.blockers or []),
        submitted_at=answer.submitted_at,
        updated_at=answer.updated_at,
        thread_ts=answer.thread_ts,
        reply_key=participant_key(schedule_id, answer.local_date, answer.user_id, "reply"),
    )
