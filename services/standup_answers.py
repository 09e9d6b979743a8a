"""Answering a prompt: which occurrence the modal answers, its questions and initial values
(the saved answer when editing; a weekly update pre-filled from the week's standups, and
customer support's queue figures), and saving it until the cut-off.

Saving returns what to send, for the caller to enqueue in the same transaction: the digest's
new state, the answer's reply in the digest's thread, and one DM per person a blocker is
routed to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from domain.catalog import Catalog, Role
from domain.config import Defaults
from domain.errors import Conflict, NotAllowed, NotFound
from domain.schedules import MISSED, PROGRESS, STANDUP, Schedule, participant_key
from domain.standup import (
    QueueFigures,
    WeeklyPrefill,
    blocker_lines,
)
from domain.standup_questions import (
    BLOCKERS,
    DONE,
    PLANNED,
    Field,
    fields_for,
    kept_answers,
    purpose_values,
    roles_in,
    with_initial,
)
from i18n import lang_of
from services.roles import workspace_catalog
from services.standup_blockers import (
    BlockerNotice,
    RoutedBlocker,
    from_json,
    notices,
    read_blockers,
    to_json,
)
from services.standup_context import as_schedule
from services.standup_digest import DigestState, digest_state, post_key
from services.standup_messages import PromptAnswered, answered_prompt
from services.standup_weekly import prefill_values, queue_figures, week_of
from storage.digests import digest_of
from storage.models import PromptAnswer, PromptOccurrence
from storage.occurrences import occurrence_by_id, open_occurrences
from storage.profiles import get_profile
from storage.prompt_answers import answer_of, previous_answer, save_answer
from storage.schedules import roles_of_people, schedule_by_id

USAGE = {STANDUP: "standup.usage", PROGRESS: "progress.usage"}


@dataclass(frozen=True)
class AnswerForm:
    """The answer modal: whose occurrence, its fields with their initial values, and the
    support queue's figures for a `{queue_summary}` question."""

    team_id: str
    occurrence_id: int
    user_id: str
    lang: str
    schedule: Schedule
    roles: tuple[Role, ...]
    local_date: date
    cutoff_at: datetime
    fields: tuple[Field, ...]
    editing: bool
    prefill: WeeklyPrefill | None = None  # a weekly update's summary of the week
    queue: QueueFigures | None = None


def current_occurrence(
    session: Session, team_id: str, user_id: str, kind: str, now: datetime
) -> PromptOccurrence:
    """The occurrence `/standup` (or `/progress`) with no text answers: the person's latest
    one whose prompt time has come and whose cut-off has not."""
    found = open_occurrences(session, team_id, user_id, now, kind)
    if not found:
        raise NotFound(f"{kind}.error.none_open", usage=USAGE.get(kind))
    return found[0]


def _own(session: Session, team_id: str, user_id: str, occurrence_id: int) -> PromptOccurrence:
    row = occurrence_by_id(session, occurrence_id)
    if row is None or row.team_id != team_id:
        raise NotFound("standup.error.no_occurrence")
    if row.user_id != user_id:
        raise NotAllowed("standup.error.not_yours", user=row.user_id)
    return row


def _open(row: PromptOccurrence, now: datetime) -> None:
    if row.state == MISSED or now >= row.cutoff_at:
        raise Conflict("standup.error.closed", cutoff=int(row.cutoff_at.timestamp()))


def answer_form(
    session: Session,
    team_id: str,
    base: Catalog,
    user_id: str,
    now: datetime,
    *,
    kind: str = STANDUP,
    occurrence_id: int | None = None,
) -> AnswerForm:
    """The modal for occurrence `occurrence_id` (the DM's button), or for the person's
    current one (`/standup` with no text)."""
    if occurrence_id is None:
        row = current_occurrence(session, team_id, user_id, kind, now)
    else:
        row = _own(session, team_id, user_id, occurrence_id)
    _open(row, now)
    stored = schedule_by_id(session, team_id, row.schedule_id)
    if stored is None:
        raise NotFound("standup.error.no_occurrence")
    schedule = as_schedule(stored)
    catalog = workspace_catalog(session, team_id, base)
    roles = _roles_of(session, team_id, catalog, schedule, user_id)
    fields = fields_for(schedule.kind, roles)
    saved = answer_of(session, team_id, schedule.id, row.local_date, user_id)
    prefill = queue = None
    if schedule.kind == PROGRESS:
        prefill = week_of(session, team_id, user_id, row.local_date)
        if any(f.needs_queue for f in fields):
            queue = queue_figures(session, team_id, row.tz, row.local_date, now)
    values = _saved_values(saved) if saved is not None else prefill_values(prefill)
    profile = get_profile(session, team_id, user_id)
    return AnswerForm(
        team_id=team_id,
        occurrence_id=row.id,
        user_id=user_id,
        lang=lang_of(profile.locale if profile else None),
        schedule=schedule,
        roles=roles,
        local_date=row.local_date,
        cutoff_at=row.cutoff_at,
        fields=with_initial(fields, values),
        editing=saved is not None,
        prefill=prefill,
        queue=queue,
    )


def _roles_of(
    session: Session, team_id: str, catalog: Catalog, schedule: Schedule, user_id: str
) -> tuple[Role, ...]:
    return roles_in(
        catalog, schedule, roles_of_people(session, team_id, {user_id}).get(user_id, set())
    )


def _saved_values(saved: PromptAnswer) -> dict[str, str]:
    values = dict(saved.answers or {})
    values.setdefault(DONE, saved.done)
    values.setdefault(PLANNED, saved.planned)
    values.setdefault(BLOCKERS, "\n".join(b.text for b in from_json(saved.blockers or [])))
    return values


@dataclass(frozen=True)
class AnswerReply:
    """The answer's reply in the digest's thread: posted under `digest_key` the first time
    (key `key`), replaced on an edit (key `update_key`, anchored to `key`)."""

    key: str
    digest_key: str
    thread_ts: str | None  # the digest's ts, when known
    edited: bool
    update_key: str | None


@dataclass(frozen=True)
class AnswerSaved:
    """A saved answer and what to send for it."""

    answer_id: int
    occurrence_id: int
    user_id: str
    schedule: Schedule
    local_date: date
    edited: bool
    blockers: tuple[RoutedBlocker, ...]
    reply: AnswerReply
    digest: DigestState | None  # to update in place (None: the digest is not open)
    notices: tuple[BlockerNotice, ...]  # a DM to each person a blocker is routed to
    prompt: PromptAnswered | None  # the prompt DM to mark answered (its ts known)


def submit_answer(
    session: Session,
    settings: Defaults,
    team_id: str,
    base: Catalog,
    user_id: str,
    occurrence_id: int,
    values: dict[str, str],
    now: datetime,
) -> AnswerSaved:
    """Save (or replace, until the cut-off) a person's answer from the modal's `values` (by
    field id); blockers are dated from the previous answer and routed."""
    row = _own(session, team_id, user_id, occurrence_id)
    _open(row, now)
    stored = schedule_by_id(session, team_id, row.schedule_id)
    if stored is None:
        raise NotFound("standup.error.no_occurrence")
    schedule = as_schedule(stored)
    catalog = workspace_catalog(session, team_id, base)
    fields = fields_for(schedule.kind, _roles_of(session, team_id, catalog, schedule, user_id))
    text = purpose_values(fields, values)
    saved = answer_of(session, team_id, schedule.id, row.local_date, user_id)
    before = previous_answer(session, team_id, user_id, schedule.kind, row.local_date)
    blockers = read_blockers(
        session,
        team_id,
        catalog,
        blocker_lines(text[BLOCKERS]),
        from_json(before.blockers or []) if before is not None else (),
        user_id,
        row.local_date,
        editing=from_json(saved.blockers or []) if saved is not None else (),
    )
    answer = save_answer(
        session,
        row,
        schedule.kind,
        done=text[DONE],
        planned=text[PLANNED],
        blockers=to_json(blockers),
        answers=kept_answers(fields, values),
        at=now,
    )
    if answer is None:  # the cut-off passed between the check and the write
        raise Conflict("standup.error.closed", cutoff=int(row.cutoff_at.timestamp()))
    return _saved(session, settings, base, row, schedule, answer, saved is not None, blockers, now)


def _saved(
    session: Session,
    settings: Defaults,
    base: Catalog,
    row: PromptOccurrence,
    schedule: Schedule,
    answer: PromptAnswer,
    edited: bool,
    blockers: list[RoutedBlocker],
    now: datetime,
) -> AnswerSaved:
    digest = digest_of(session, row.team_id, schedule.id, row.local_date)
    stored = schedule_by_id(session, row.team_id, schedule.id)
    state = digest_state(session, base, digest, stored) if digest and stored else None
    key = participant_key(schedule.id, row.local_date, row.user_id, "reply")
    reply = AnswerReply(
        key=key,
        digest_key=post_key(schedule.id, row.local_date),
        thread_ts=digest.ts or None if digest else None,
        edited=edited,
        update_key=f"{key}:edit:{now.timestamp():.6f}" if edited else None,
    )
    return AnswerSaved(
        answer_id=answer.id,
        occurrence_id=row.id,
        user_id=row.user_id,
        schedule=schedule,
        local_date=row.local_date,
        edited=edited,
        blockers=tuple(blockers),
        reply=reply,
        digest=state,
        notices=tuple(notices(row.team_id, row.user_id, schedule.id, row.local_date, blockers)),
        prompt=answered_prompt(session, settings, row),
    )
