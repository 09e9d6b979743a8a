"""Due standup work at an instant, as data to send: prompts, reminders, digests to post or
make final, and prompts missed while Rolecall was down.

Each function claims its rows in the caller's transaction and returns what to send; the
caller enqueues the deliveries in the same transaction, so a crash before the commit loses
both the claim and the deliveries and the next tick claims them again: exactly once, with
any number of tickers (claims are guarded by the rows' state; PostgreSQL tickers skip each
other's locked rows). Call `tick` until `more` is False, one transaction per call.

Prompts are claimed up to `now + horizon`: a prompt whose time is still ahead comes with
`post_at`, to be scheduled in Slack (chat.scheduleMessage) for that instant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from domain.catalog import Catalog, Role
from domain.config import Defaults
from domain.schedules import Schedule, participant_key
from domain.standup_questions import Field, fields_for, roles_in
from i18n import lang_of
from services.roles import workspace_catalog
from services.standup_context import as_schedule
from services.standup_digest import DigestState, digest_state
from services.standup_plan import MissedSlot, plan
from services.standup_presence import People, ineligible, people, prompt_key
from storage.digests import claim_digest_post, claim_digest_posts, claim_due_digests
from storage.models import PromptOccurrence, PromptSchedule
from storage.occurrence_claims import (
    claim_due_prompts,
    claim_due_reminders,
    expire_missed,
    withdraw_many,
)
from storage.schedules import schedules_by_id

BATCH = 1000  # rows claimed per call: one transaction's worth of deliveries


@dataclass(frozen=True)
class PromptDue:
    """A prompt DM to one person: send it now (`post_at` None) or schedule it for `post_at`.

    `fields` are the modal's questions (the DM lists them); the DM's first button answers
    occurrence `occurrence_id`.
    """

    key: str
    team_id: str
    occurrence_id: int
    user_id: str
    lang: str
    schedule: Schedule
    roles: tuple[Role, ...]
    fields: tuple[Field, ...]
    local_date: date
    tz: str
    prompt_at: datetime
    cutoff_at: datetime
    post_at: datetime | None
    late: bool  # its time passed while nobody ticked; still before the cut-off


@dataclass(frozen=True)
class ReminderDue:
    """The one reminder to someone who has not answered, before the cut-off."""

    key: str
    team_id: str
    occurrence_id: int
    user_id: str
    lang: str
    schedule: Schedule
    local_date: date
    cutoff_at: datetime
    dm_channel: str | None  # the prompt DM, when recorded (to reply in its thread)
    dm_ts: str | None  # None for a scheduled prompt: Slack gives its ts to nobody
    scheduled: bool  # the prompt was scheduled in Slack (its ts is looked up, if it can be)


@dataclass(frozen=True)
class MissedPrompt:
    """A prompt not sent before its cut-off (Rolecall was down): skipped; log it."""

    team_id: str
    occurrence_id: int
    user_id: str
    schedule_id: int
    local_date: date
    prompt_at: datetime
    cutoff_at: datetime


@dataclass(frozen=True)
class Withdrawn:
    """A claimed prompt or reminder not sent: the person no longer takes part (reason)."""

    team_id: str
    occurrence_id: int
    user_id: str
    reason: str


@dataclass
class Due:
    """Everything one `tick` call claimed."""

    prompts: list[PromptDue] = field(default_factory=list)
    reminders: list[ReminderDue] = field(default_factory=list)
    digests: list[DigestState] = field(default_factory=list)
    missed: list[MissedPrompt] = field(default_factory=list)
    missed_slots: list[MissedSlot] = field(default_factory=list)
    withdrawn: list[Withdrawn] = field(default_factory=list)
    more: bool = False  # a batch was full: call again (in a new transaction)


def tick(
    session: Session,
    now: datetime,
    base: Catalog,
    defaults: Defaults,
    *,
    horizon: timedelta = timedelta(0),
    limit: int = BATCH,
) -> Due:
    """Plan, then claim one batch of each kind of due work at `now`."""
    due = Due()
    due.missed_slots = plan(session, now, defaults, horizon).missed
    due.missed = expire(session, now, limit)
    prompts, withdrawn = claim_prompts(session, now, base, horizon=horizon, limit=limit)
    reminders, also = claim_reminders(session, now, limit)
    due.prompts, due.reminders, due.withdrawn = prompts, reminders, withdrawn + also
    due.digests = claim_digests(session, now, base, limit)
    claimed = (len(prompts) + len(withdrawn), len(reminders) + len(also), len(due.missed))
    due.more = any(n >= limit for n in claimed) or len(due.digests) >= limit
    return due


def expire(session: Session, now: datetime, limit: int = BATCH) -> list[MissedPrompt]:
    """Prompts whose cut-off passed before they were sent: marked missed, for the log."""
    return [
        MissedPrompt(
            r.team_id, r.id, r.user_id, r.schedule_id, r.local_date, r.prompt_at, r.cutoff_at
        )
        for r in expire_missed(session, now, limit)
    ]


def _by_team(rows: Iterable[PromptOccurrence]) -> dict[str, list[PromptOccurrence]]:
    found: dict[str, list[PromptOccurrence]] = defaultdict(list)
    for row in rows:
        found[row.team_id].append(row)
    return found


@dataclass(frozen=True)
class _Batch:
    """Claimed rows still due, with their people and schedules, and those withdrawn."""

    kept: dict[str, list[PromptOccurrence]]
    people: dict[str, People]
    schedules: dict[int, PromptSchedule]
    withdrawn: list[Withdrawn]


def _screen(session: Session, rows: Sequence[PromptOccurrence], now: datetime) -> _Batch:
    """Claimed rows checked again now: split into those still due and those withdrawn."""
    schedules = schedules_by_id(session, {row.schedule_id for row in rows})
    batch = _Batch({}, {}, schedules, [])
    for team_id, team_rows in _by_team(rows).items():
        known = people(session, team_id, {r.user_id for r in team_rows})
        reasons = ineligible(session, team_id, team_rows, schedules, known)
        withdraw_many(session, reasons, now)
        batch.withdrawn.extend(
            Withdrawn(team_id, r.id, r.user_id, reasons[r.id]) for r in team_rows if r.id in reasons
        )
        batch.kept[team_id] = [r for r in team_rows if r.id not in reasons]
        batch.people[team_id] = known
    return batch


def claim_prompts(
    session: Session,
    now: datetime,
    base: Catalog,
    *,
    horizon: timedelta = timedelta(0),
    limit: int = BATCH,
) -> tuple[list[PromptDue], list[Withdrawn]]:
    """Claim up to `limit` prompts due by `now + horizon`, each checked again (role held,
    schedule active, not away, paused or skipping): those to send, and those withdrawn."""
    rows = claim_due_prompts(session, now, limit, until=now + horizon)
    batch = _screen(session, rows, now)
    prompts: list[PromptDue] = []
    domain_schedules = {sid: as_schedule(row) for sid, row in batch.schedules.items()}
    for team_id, team_rows in batch.kept.items():
        catalog = workspace_catalog(session, team_id, base)
        known = batch.people[team_id]
        forms: dict[tuple[int, frozenset[str]], tuple[tuple[Role, ...], tuple[Field, ...]]] = {}
        for row in team_rows:
            schedule = domain_schedules[row.schedule_id]
            held = frozenset(known.held.get(row.user_id, set()))
            if (schedule.id, held) not in forms:  # people with the same roles share a form
                roles = roles_in(catalog, schedule, held)
                forms[(schedule.id, held)] = (roles, fields_for(schedule.kind, roles))
            roles, fields = forms[(schedule.id, held)]
            prompts.append(
                PromptDue(
                    key=prompt_key(row),
                    team_id=team_id,
                    occurrence_id=row.id,
                    user_id=row.user_id,
                    lang=lang_of(known.locales.get(row.user_id)),
                    schedule=schedule,
                    roles=roles,
                    fields=fields,
                    local_date=row.local_date,
                    tz=row.tz,
                    prompt_at=row.prompt_at,
                    cutoff_at=row.cutoff_at,
                    post_at=row.prompt_at if row.prompt_at > now else None,
                    late=now - row.prompt_at > timedelta(minutes=5),
                )
            )
    withdrawn = batch.withdrawn
    return prompts, withdrawn


def claim_reminders(
    session: Session, now: datetime, limit: int = BATCH
) -> tuple[list[ReminderDue], list[Withdrawn]]:
    """Claim up to `limit` reminders due (one per unanswered occurrence, before its cut-off),
    each checked again like a prompt."""
    rows = claim_due_reminders(session, now, limit)
    batch = _screen(session, rows, now)
    reminders = []
    for team_id, team_rows in batch.kept.items():
        known = batch.people[team_id]
        for row in team_rows:
            reminders.append(
                ReminderDue(
                    key=participant_key(row.schedule_id, row.local_date, row.user_id, "reminder"),
                    team_id=team_id,
                    occurrence_id=row.id,
                    user_id=row.user_id,
                    lang=lang_of(known.locales.get(row.user_id)),
                    schedule=as_schedule(batch.schedules[row.schedule_id]),
                    local_date=row.local_date,
                    cutoff_at=row.cutoff_at,
                    dm_channel=row.dm_channel,
                    dm_ts=row.dm_ts,
                    scheduled=bool(row.scheduled_message_id),
                )
            )
    withdrawn = batch.withdrawn
    return reminders, withdrawn


def claim_digests(
    session: Session, now: datetime, base: Catalog, limit: int = BATCH
) -> list[DigestState]:
    """Digests to post (their first prompt has come: `post` True) and digests to make final
    (their latest cut-off has passed: `final` True; posted then if never posted)."""
    opened = claim_digest_posts(session, now, limit)
    finals = claim_due_digests(session, now, limit)
    schedules = schedules_by_id(session, {d.schedule_id for d in (*opened, *finals)})
    states = [digest_state(session, base, d, schedules[d.schedule_id], post=True) for d in opened]
    posted = {d.id for d in opened}
    for digest in finals:
        if digest.id in posted:
            continue  # posted in this batch already final: the post shows the final state
        fresh = claim_digest_post(session, digest, now)  # never posted: post the final state
        states.append(
            digest_state(session, base, digest, schedules[digest.schedule_id], post=fresh)
        )
    return states
