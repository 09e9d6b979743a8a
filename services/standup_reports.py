"""History and what comes next: `/standup report [date]`, `/progress report [date]`,
`/standup report @user <from> <to>`, and the next prompts App Home shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from domain.availability import Presence, absence_reason
from domain.catalog import Catalog
from domain.config import Defaults
from domain.errors import UsageError
from domain.parsing import is_user, parse_date, parse_user
from domain.schedules import PROGRESS, SKIPPED, STANDUP, Schedule, Slot, next_slot, open_slot
from services.standup_blockers import RoutedBlocker, from_json
from services.standup_context import Workspace, as_schedule, person, workspace
from services.standup_digest import DigestState, digest_state
from storage import roles as role_store
from storage.digests import digests_between
from storage.models import Digest
from storage.occurrences import open_occurrences
from storage.prompt_answers import answers_between, pause_of
from storage.schedules import roles_of_people, schedules_by_id, schedules_of

USAGE = {STANDUP: "standup.usage", PROGRESS: "progress.usage"}
MAX_REPORT_DAYS = 92


@dataclass(frozen=True)
class DayReport:
    """Each schedule's digest of one date (a weekly update: its latest in the 7 days up to
    that date), as data."""

    kind: str
    day: date
    digests: tuple[DigestState, ...]


@dataclass(frozen=True)
class PersonAnswer:
    """One answer of a person, for their report."""

    schedule_id: int
    local_date: date
    done: str
    planned: str
    values: dict[str, str]
    blockers: tuple[RoutedBlocker, ...]


@dataclass(frozen=True)
class PersonReport:
    """A person's answers of one kind between two dates, oldest first."""

    kind: str
    user_id: str
    first: date
    last: date
    answers: tuple[PersonAnswer, ...]


def report(
    session: Session,
    team_id: str,
    base: Catalog,
    defaults: Defaults,
    kind: str,
    text: str,
    requester: str,
    now: datetime,
) -> DayReport | PersonReport:
    """`report [YYYY-MM-DD]` (the requester's today by default) or `report @user <from>
    <to>`, from the text after `report`."""
    words = text.split()
    if words and is_user(words[0]):
        if len(words) != 3:
            raise UsageError("standup.error.bad_report", usage=USAGE[kind])
        first, last = parse_date(words[1], USAGE[kind]), parse_date(words[2], USAGE[kind])
        return person_report(session, team_id, kind, parse_user(words[0]), first, last)
    if len(words) > 1:
        raise UsageError("standup.error.bad_report", usage=USAGE[kind])
    if words:
        day = parse_date(words[0], USAGE[kind])
    else:
        day = person(session, workspace(session, defaults, team_id), requester).today(now)
    return day_report(session, team_id, base, kind, day)


def day_report(session: Session, team_id: str, base: Catalog, kind: str, day: date) -> DayReport:
    """Each of the workspace's active schedules of `kind` with a digest on `day` (a weekly
    update: its latest in the 7 days up to `day`)."""
    rows = schedules_of(session, team_id, kind)
    first = day - timedelta(days=6) if kind == PROGRESS else day
    found = digests_between(session, team_id, [r.id for r in rows], first, day)
    latest: dict[int, Digest] = {}
    for digest in found:  # latest first
        latest.setdefault(digest.schedule_id, digest)
    schedules = schedules_by_id(session, set(latest))
    states = tuple(
        digest_state(session, base, d, schedules[d.schedule_id]) for d in latest.values()
    )
    return DayReport(kind, day, states)


def person_report(
    session: Session, team_id: str, kind: str, user_id: str, first: date, last: date
) -> PersonReport:
    """A person's answers of `kind` dated `first`..`last` (at most MAX_REPORT_DAYS)."""
    if last < first:
        raise UsageError("standup.error.report_order", usage=USAGE[kind])
    if (last - first).days >= MAX_REPORT_DAYS:
        raise UsageError("standup.error.report_range", usage=USAGE[kind], days=MAX_REPORT_DAYS)
    answers = tuple(
        PersonAnswer(
            a.schedule_id,
            a.local_date,
            a.done,
            a.planned,
            dict(a.answers or {}),
            from_json(a.blockers or []),
        )
        for a in answers_between(session, team_id, user_id, kind, first, last)
    )
    return PersonReport(kind, user_id, first, last, answers)


@dataclass(frozen=True)
class NextPrompt:
    """A prompt coming (or open now) for the person, in their zone."""

    schedule: Schedule
    local_date: date
    prompt_at: datetime
    cutoff_at: datetime
    tz: str
    open_occurrence_id: int | None = None  # answerable now (the Home's Answer button)


@dataclass(frozen=True)
class HomePrompts:
    """The App Home's prompts section: open ones first, then the next of each schedule."""

    prompts: tuple[NextPrompt, ...]
    paused: bool
    skip_until: date | None
    away_until: date | None


def next_prompts(
    session: Session,
    team_id: str,
    defaults: Defaults,
    user_id: str,
    now: datetime,
    lookahead_days: int = 31,
) -> HomePrompts:
    """The person's open prompts and, per schedule they take part in, the next prompt they
    will get (days off, holidays, their skip and absence passed over; none while paused)."""
    place = workspace(session, defaults, team_id)
    who = person(session, place, user_id)
    held = roles_of_people(session, team_id, {user_id}).get(user_id, set())
    pause = pause_of(session, team_id, user_id)
    away = role_store.absences(session, team_id, who.today(now), {user_id}).get(user_id)
    presence = Presence(away, pause.skip_until if pause else None, bool(pause and pause.paused))
    # Open and still expected (a skipped one may be answered anyway, but is not asked for).
    mine = [r for r in open_occurrences(session, team_id, user_id, now) if r.state != SKIPPED]
    opened = {(r.schedule_id, r.local_date): r.id for r in mine}
    found: list[NextPrompt] = []
    for row in schedules_of(session, team_id):
        schedule = as_schedule(row)
        if not held or (schedule.roles and not held & set(schedule.roles)):
            continue
        current = open_slot(schedule, who.tz, now, place.calendar)
        if current is not None and (schedule.id, current.local_date) in opened:
            found.append(_next(schedule, current, opened[(schedule.id, current.local_date)]))
        if presence.paused:
            continue
        coming = _first_available(schedule, who.tz, now, place, presence, lookahead_days)
        if coming is not None:
            found.append(coming)
    found.sort(key=lambda p: (p.open_occurrence_id is None, p.prompt_at))
    skip = presence.skip_until
    return HomePrompts(
        tuple(found), presence.paused, skip if skip and skip >= who.today(now) else None, away
    )


def _first_available(
    schedule: Schedule,
    tz: str,
    now: datetime,
    place: Workspace,
    presence: Presence,
    lookahead_days: int,
) -> NextPrompt | None:
    after, limit = now, now + timedelta(days=lookahead_days)
    while (coming := next_slot(schedule, tz, after, place.calendar)) is not None:
        if coming.prompt_at > limit:
            return None
        if absence_reason(presence, coming.local_date) is None:
            return _next(schedule, coming, None)
        after = coming.prompt_at
    return None


def _next(schedule: Schedule, found: Slot, occurrence_id: int | None) -> NextPrompt:
    return NextPrompt(
        schedule, found.local_date, found.prompt_at, found.cutoff_at, found.tz, occurrence_id
    )
