"""Who may be prompted now: the checks made when a prompt or reminder is claimed, and when a
person's roles or availability change while their prompts are planned (or scheduled in
Slack) ahead.

A participant is prompted only while they hold a role of the schedule, the schedule is
active, their account is not deactivated, and they are not away (`/role away`), paused or
skipping that local date. Planned occurrences are checked again at claim time, so a role
change between planning and prompt time is seen; prompts already scheduled in Slack
(`horizon`) are withdrawn by `refresh_person`, which the handlers of `/role assign`,
`unassign`, `away` and `back` call after the change, or sent again when the person stays
but their roles now ask other questions (`requeue`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from domain.availability import AWAY, PAUSED, SKIPPED, Presence, absence_reason
from domain.catalog import Catalog
from domain.config import Defaults
from domain.schedules import PENDING, PROMPTED, participant_key, slot
from domain.schedules import SKIPPED as SKIPPED_STATE
from domain.standup_questions import fields_for, questions_key, roles_in
from services import deliveries as outbox
from services.roles import workspace_catalog
from services.standup_context import as_schedule, workspace
from storage import roles as role_store
from storage.models import PromptOccurrence, PromptSchedule
from storage.occurrence_claims import restore_many, unclaim, withdraw_many
from storage.occurrences import add_occurrences, occurrence_by_id, upcoming_of
from storage.profiles import get_profiles
from storage.prompt_answers import pauses_of
from storage.schedules import (
    future_slots,
    profile_facts,
    roles_of_people,
    schedules_by_id,
    schedules_of,
)

UNASSIGNED, REMOVED, DEACTIVATED = "unassigned", "removed", "deactivated"
# Reasons a withdrawn occurrence may come back from (never a removed schedule).
RESTORABLE = frozenset({UNASSIGNED, DEACTIVATED, AWAY, PAUSED, SKIPPED})


def prompt_key(row: PromptOccurrence) -> str:
    """The delivery key of a claimed prompt: the person's occurrence and the claim's instant
    (a prompt withdrawn and claimed again is a new delivery)."""
    assert row.prompted_at is not None, "only a claimed occurrence has a prompt key"
    base = participant_key(row.schedule_id, row.local_date, row.user_id, "prompt")
    return f"{base}:{int(row.prompted_at.timestamp())}"


@dataclass(frozen=True)
class Cancellation:
    """A prompt claimed ahead (scheduled in Slack for `post_at`) that must not post now.

    `withdraw` enqueues its undoing in the change's transaction (services.deliveries
    .unschedule): the scheduling delivery `prompt_key` is dropped if never tried, else the
    message it scheduled is deleted (chat.deleteScheduledMessage) once it is scheduled.
    """

    team_id: str
    occurrence_id: int
    user_id: str
    post_at: datetime
    prompt_key: str
    scheduled_message_id: str | None
    channel: str | None
    reason: str

    @property
    def key(self) -> str:
        """The delivery key of the deletion."""
        return f"{self.prompt_key}:cancel"


def _presences(
    session: Session, team_id: str, users: set[str], first_day: date
) -> dict[str, Presence]:
    away = role_store.absences(session, team_id, first_day, users)
    pauses = pauses_of(session, team_id, users)
    found = {}
    for user in users:
        pause = pauses.get(user)
        found[user] = Presence(
            away_until=away.get(user),
            skip_until=pause.skip_until if pause else None,
            paused=bool(pause and pause.paused),
        )
    return found


def absent(session: Session, team_id: str, user_ids: Iterable[str], day: date) -> dict[str, str]:
    """Who of `user_ids` is not prompted on local date `day`, and why (away, paused,
    skipped): two queries."""
    users = set(user_ids)
    if not users:
        return {}
    found = {}
    for user, presence in _presences(session, team_id, users, day).items():
        reason = absence_reason(presence, day)
        if reason is not None:
            found[user] = reason
    return found


@dataclass(frozen=True)
class People:
    """What a batch of claims needs to know of its people: roles, language, deactivation."""

    held: dict[str, set[str]]
    locales: dict[str, str | None]
    gone: set[str]


def people(session: Session, team_id: str, user_ids: Iterable[str]) -> People:
    """The roles held, locales and deactivated accounts of `user_ids` (two queries)."""
    users = set(user_ids)
    facts = profile_facts(session, team_id, users)
    return People(
        roles_of_people(session, team_id, users),
        {user: locale for user, (locale, _) in facts.items()},
        {user for user, (_, deleted) in facts.items() if deleted},
    )


def ineligible(
    session: Session,
    team_id: str,
    rows: Sequence[PromptOccurrence],
    schedules: Mapping[int, PromptSchedule],
    known: People | None = None,
) -> dict[int, str]:
    """Why each of one workspace's `rows` may not be prompted (or reminded) now, by row id;
    rows that may are absent. Four queries for the whole batch (two when `known`)."""
    if not rows:
        return {}
    users = {row.user_id for row in rows}
    who = known if known is not None else people(session, team_id, users)
    presences = _presences(session, team_id, users, min(row.local_date for row in rows))
    reasons: dict[int, str] = {}
    for row in rows:
        schedule = schedules.get(row.schedule_id)
        roles = who.held.get(row.user_id, set())
        if schedule is None or not schedule.active:
            reasons[row.id] = REMOVED
        elif row.user_id in who.gone:
            reasons[row.id] = DEACTIVATED
        elif not roles or (schedule.roles and not roles & set(schedule.roles)):
            reasons[row.id] = UNASSIGNED
        else:
            reason = absence_reason(presences[row.user_id], row.local_date)
            if reason is not None:
                reasons[row.id] = reason
    return reasons


def withdraw(
    session: Session, rows: Sequence[PromptOccurrence], reasons: Mapping[int, str], now: datetime
) -> list[Cancellation]:
    """Mark `rows` skipped for their `reasons`; those already claimed (a prompt scheduled in
    Slack ahead of time) come back as cancellations, their deletion enqueued."""
    claimed = {row.id for row in rows if row.state == PROMPTED and row.id in reasons}
    moved = withdraw_many(session, dict(reasons), now)
    cancelled = [
        Cancellation(
            row.team_id,
            row.id,
            row.user_id,
            row.prompt_at,
            prompt_key(row),
            row.scheduled_message_id,
            row.dm_channel,
            row.reason or SKIPPED,
        )
        for row in moved
        if row.id in claimed and row.prompted_at is not None
    ]
    for cancel in cancelled:
        outbox.unschedule(
            session,
            cancel.team_id,
            cancel.key,
            cancel.prompt_key,
            now=now,
            channel=cancel.channel,
            scheduled_message_id=cancel.scheduled_message_id,
            kind="standup_cancel",
        )
    return cancelled


@dataclass(frozen=True)
class Refresh:
    """What a change of someone's roles or availability did to their planned prompts."""

    cancelled: tuple[Cancellation, ...] = ()
    withdrawn: int = 0
    restored: int = 0
    added: int = 0
    requeued: int = 0  # scheduled with questions their roles no longer ask: sent again


def refresh_person(
    session: Session,
    team_id: str,
    user_id: str,
    now: datetime,
    defaults: Defaults,
    base: Catalog,
) -> Refresh:
    """Check a person's planned prompts still ahead against their roles and availability
    now: withdraw those they may no longer get (scheduled ones come back to cancel), put
    back those they may get again, send again those scheduled with other questions than
    their roles now ask (`requeue`), and add them to planned slots of schedules they joined
    by taking a role. Call after `/role assign|unassign|away|back`; skip, pause and resume
    do it themselves."""
    rows = upcoming_of(session, team_id, user_id=user_id, after=now)
    schedules = schedules_by_id(session, {row.schedule_id for row in rows})
    reasons = ineligible(session, team_id, rows, schedules)
    leaving = [r for r in rows if r.id in reasons and r.state in (PENDING, PROMPTED)]
    cancelled = withdraw(session, leaving, {r.id: reasons[r.id] for r in leaving}, now)
    back = [
        r.id
        for r in rows
        if r.state == SKIPPED_STATE and r.id not in reasons and (r.reason or "") in RESTORABLE
    ]
    restored = restore_many(session, back, now)
    staying = [r for r in rows if r.state == PROMPTED and r.id not in reasons]
    requeued = requeue(session, team_id, staying, schedules, base, now)
    added = _join_planned(session, team_id, user_id, now, defaults)
    return Refresh(tuple(cancelled), len(leaving), restored, added, requeued)


# The delivery kind of the deletion of a prompt scheduled with stale questions: once it is
# deleted, the occurrence goes back to pending (`prompt_deleted`) and is claimed again.
REQUEUE = "standup_requeue"


def requeue(
    session: Session,
    team_id: str,
    rows: Sequence[PromptOccurrence],
    schedules: Mapping[int, PromptSchedule],
    base: Catalog,
    now: datetime,
) -> int:
    """Prompts claimed ahead (scheduled in Slack) whose questions are not those their
    person's roles ask now: each is cancelled, then claimed again by the next tick with the
    new questions. Exactly once: the occurrence goes back to pending only once its prompt
    cannot post (the scheduling dropped before it was tried, or the scheduled message
    deleted); if Slack posted it first, that prompt stands (its modal asks the new
    questions). Returns how many were cancelled to be sent again."""
    if not rows:
        return 0
    catalog = workspace_catalog(session, team_id, base)
    held = roles_of_people(session, team_id, {r.user_id for r in rows})
    made = 0
    for row in rows:
        key = prompt_key(row)
        scheduling = outbox.payload_of(session, team_id, key)
        asked = (scheduling or {}).get("questions")
        schedule = as_schedule(schedules[row.schedule_id])
        roles = roles_in(catalog, schedule, held.get(row.user_id, set()))
        if asked is None or asked == questions_key(fields_for(schedule.kind, roles)):
            continue
        cancel = f"{key}:requeue"
        if outbox.payload_of(session, team_id, cancel) is not None:
            continue  # its deletion is on its way already
        sent = outbox.unschedule(
            session,
            team_id,
            cancel,
            key,
            now=now,
            channel=row.dm_channel,
            scheduled_message_id=row.scheduled_message_id,
            kind=REQUEUE,
            extra={"occurrence_id": row.id},
        )
        if not sent:  # dropped before it was tried: nothing will post
            unclaim(session, row.id, now)
        made += 1
    return made


def prompt_deleted(session: Session, team_id: str, occurrence_id: int, now: datetime) -> bool:
    """A prompt cancelled by `requeue` was deleted in Slack: back to pending, to be claimed
    again; False when the occurrence moved on meanwhile."""
    row = occurrence_by_id(session, occurrence_id)
    return row is not None and row.team_id == team_id and unclaim(session, row.id, now)


def _join_planned(
    session: Session, team_id: str, user_id: str, now: datetime, defaults: Defaults
) -> int:
    """Add the person to the planned slots (prompt still ahead, in their zone) of schedules
    naming a role they hold; an occurrence they have already is left as it is."""
    held = roles_of_people(session, team_id, {user_id}).get(user_id, set())
    if not held:
        return 0
    joined = {s.id: s for s in schedules_of(session, team_id) if not s.roles or held & set(s.roles)}
    profile = get_profiles(session, team_id, {user_id}).get(user_id)
    if profile is not None and profile.deleted:
        return 0
    zone = workspace(session, defaults, team_id).zone_of(profile)
    added = 0
    for planned in future_slots(session, list(joined), now):
        if planned.tz != zone:
            continue
        schedule = as_schedule(joined[planned.schedule_id])
        times = slot(schedule, zone, planned.local_date)
        added += add_occurrences(
            session,
            team_id,
            schedule.id,
            planned.local_date,
            zone,
            (times.prompt_at, times.remind_at, times.cutoff_at),
            [user_id],
            now,
            absent(session, team_id, {user_id}, planned.local_date),
        )
    return added
