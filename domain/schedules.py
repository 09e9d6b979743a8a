"""Standup and weekly progress schedules: when each prompt, reminder and cut-off is due.

(What an admin types is read by domain.schedule_parsing.)

The timing rules (the README quotes them):

- A schedule names local days and a local time. Each participant is prompted at that time, on
  those days, in their own time zone (their Slack `tz`, else the workspace's default).
- An occurrence is (schedule, local date). A participant's part in it is keyed by the
  schedule id and *their* local date, so every tick, replica or restart computes the same
  key: `schedule:7:2026-03-09`, and per person `schedule:7:2026-03-09:U123:prompt`.
- Daylight saving: a time that does not exist that day (02:30 in America/New_York on the
  spring-forward Sunday) is sent when the clock reads 03:30 — shifted forward by the gap, as
  calendars do; a time that happens twice (01:30 on the fall-back Sunday) is sent the first
  time (fold=0). Either way exactly once per local date.
- The answer window is real time (default 4 h): cut-off = prompt + window, whatever the clock
  does in between. The one reminder goes 1 h before the cut-off (half-way through windows
  shorter than 2 h).
- Days off: a weekday the schedule does not name, and a public holiday of the workspace's
  calendar (`/standup holidays`). An official make-up working day of that calendar (China's
  调休 weekends) runs the schedules that run every weekday (`daily`, `weekdays`).
- The digest: one per (schedule, local date). It is posted when the first participant of
  that date is prompted (the zone furthest east) and becomes final at the latest cut-off
  among that date's participants' zones (the furthest west). For a 09:30 standup with a 4 h
  window and people in Shanghai and New York, Monday 2026-03-09's digest is posted at
  01:30 UTC (09:30 in Shanghai) and final at 17:30 UTC (13:30 in New York).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.availability import HolidayCalendar

STANDUP = "standup"
PROGRESS = "progress"
KINDS = (STANDUP, PROGRESS)
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS = frozenset(range(7))
WORKWEEK = frozenset(range(5))
DEFAULT_WINDOW = 240
MIN_WINDOW = 15
MAX_WINDOW = {STANDUP: 24 * 60, PROGRESS: 7 * 24 * 60}


@dataclass(frozen=True)
class Schedule:
    """A stored schedule: who is prompted (role keys; empty = every role), when, and where."""

    id: int
    kind: str
    roles: tuple[str, ...]
    days: frozenset[int]
    at: time
    channel: str
    window_minutes: int = DEFAULT_WINDOW

    @property
    def everyone(self) -> bool:
        """Whether the holders of every role take part."""
        return not self.roles

    @property
    def window(self) -> timedelta:
        """The answer window."""
        return timedelta(minutes=self.window_minutes)


def occurrence_key(schedule_id: int, local_date: date) -> str:
    """The key of one occurrence (and of its digest): schedule id and local date."""
    return f"schedule:{schedule_id}:{local_date.isoformat()}"


def participant_key(schedule_id: int, local_date: date, user_id: str, step: str) -> str:
    """A once-only key for one person's `step` (prompt, reminder, reply) of an occurrence."""
    return f"{occurrence_key(schedule_id, local_date)}:{user_id}:{step}"


@cache
def is_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def zone(name: str) -> ZoneInfo:
    """The zone named `name`, kept: ZoneInfo's own cache holds only a few strongly, so a
    tick over a dozen zones would read their files again and again."""
    return ZoneInfo(name)


def zone_or_default(name: str | None, default: str) -> str:
    """A participant's zone: their own if it is known, else the workspace default."""
    return name if name and is_zone(name) else default


def local_day(at: datetime, tz: str) -> date:
    """The date on the wall in `tz` at instant `at`."""
    return at.astimezone(zone(tz)).date()


def prompt_instant(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of local `at` on `day` in `tz` (a gap shifts forward; fold=0)."""
    # PEP 495: fold=0 reads a time in a gap with the offset from before the transition,
    # i.e. 02:30 EST, which is 03:30 EDT; an ambiguous time gets its first occurrence.
    return datetime.combine(day, at, tzinfo=zone(tz)).astimezone(UTC)


def reminder_lead(window: timedelta) -> timedelta:
    """How long before the cut-off the one reminder goes."""
    return timedelta(hours=1) if window >= timedelta(hours=2) else window / 2


@dataclass(frozen=True)
class Slot:
    """One schedule's prompt on one local date in one zone; everyone in that zone shares it."""

    schedule_id: int
    tz: str
    local_date: date
    prompt_at: datetime
    remind_at: datetime
    cutoff_at: datetime

    @property
    def key(self) -> str:
        """The occurrence key (the same in every zone for a local date)."""
        return occurrence_key(self.schedule_id, self.local_date)

    def still_useful(self, now: datetime) -> bool:
        """Whether a prompt sent now is still worth it (before the cut-off)."""
        return now < self.cutoff_at


def runs_on(schedule: Schedule, day: date, calendar: HolidayCalendar | None = None) -> bool:
    """Whether the schedule prompts on local date `day` (public holidays of `calendar` off)."""
    if calendar is not None and calendar.is_holiday(day):
        return False
    if day.weekday() in schedule.days:
        return True
    return calendar is not None and schedule.days >= WORKWEEK and calendar.is_makeup_workday(day)


def slot(schedule: Schedule, tz: str, day: date) -> Slot:
    """The prompt, reminder and cut-off instants of `schedule` on local `day` in `tz`."""
    prompt_at = prompt_instant(day, schedule.at, tz)
    cutoff_at = prompt_at + schedule.window
    return Slot(
        schedule.id, tz, day, prompt_at, cutoff_at - reminder_lead(schedule.window), cutoff_at
    )


def due_slots(
    schedule: Schedule,
    zones: Iterable[str],
    since: datetime,
    now: datetime,
    calendar: HolidayCalendar | None = None,
) -> list[Slot]:
    """The slots whose prompt instant falls in (since, now], earliest first.

    Computed from the schedule and the participants' distinct zones, never from the people:
    the cost is (days in the interval + 2) × zones.
    """
    found: list[Slot] = []
    for tz in sorted(set(zones)):
        here = zone(tz)
        day = since.astimezone(here).date() - timedelta(days=1)
        last = now.astimezone(here).date()
        while day <= last:
            if runs_on(schedule, day, calendar):
                candidate = slot(schedule, tz, day)
                if since < candidate.prompt_at <= now:
                    found.append(candidate)
            day += timedelta(days=1)
    return sorted(found, key=lambda s: (s.prompt_at, s.tz))


def next_slot(
    schedule: Schedule,
    tz: str,
    after: datetime,
    calendar: HolidayCalendar | None = None,
    horizon_days: int = 62,
) -> Slot | None:
    """The first prompt after `after` in `tz` within `horizon_days` (for App Home)."""
    day = local_day(after, tz) - timedelta(days=1)
    for _ in range(horizon_days + 2):
        if runs_on(schedule, day, calendar):
            candidate = slot(schedule, tz, day)
            if candidate.prompt_at > after:
                return candidate
        day += timedelta(days=1)
    return None


def open_slot(
    schedule: Schedule, tz: str, now: datetime, calendar: HolidayCalendar | None = None
) -> Slot | None:
    """The slot being answered at `now` in `tz` (prompted, cut-off not reached), if any;
    the latest one should windows overlap."""
    today = local_day(now, tz)
    for back in range(-1, schedule.window.days + 2):  # tomorrow (far east), today, earlier
        day = today - timedelta(days=back)
        if runs_on(schedule, day, calendar):
            candidate = slot(schedule, tz, day)
            if candidate.prompt_at <= now < candidate.cutoff_at:
                return candidate
    return None


def digest_window(
    schedule: Schedule,
    zones: Iterable[str],
    day: date,
    calendar: HolidayCalendar | None = None,
) -> tuple[datetime, datetime] | None:
    """When the digest of local date `day` is posted (first prompt) and final (last cut-off)."""
    slots = (
        [slot(schedule, tz, day) for tz in set(zones)] if runs_on(schedule, day, calendar) else []
    )
    if not slots:
        return None
    return min(s.prompt_at for s in slots), max(s.cutoff_at for s in slots)


# Occurrence states of one participant, and the moves between them.
PENDING, PROMPTED, REMINDED, ANSWERED = "pending", "prompted", "reminded", "answered"
SKIPPED, MISSED = "skipped", "missed"
STATES = (PENDING, PROMPTED, REMINDED, ANSWERED, SKIPPED, MISSED)
MOVES: dict[str, frozenset[str]] = {
    PENDING: frozenset({PROMPTED, ANSWERED, SKIPPED, MISSED}),
    # Back to pending: a prompt scheduled ahead, cancelled to be sent again with new
    # questions (the person's roles changed before it posted).
    PROMPTED: frozenset({PENDING, REMINDED, ANSWERED, SKIPPED}),
    REMINDED: frozenset({ANSWERED, SKIPPED}),
    ANSWERED: frozenset({ANSWERED}),  # an edit before the cut-off
    SKIPPED: frozenset({PENDING, ANSWERED}),  # resumed before the cut-off, or answered anyway
    MISSED: frozenset(),
}


def can_move(state: str, to: str) -> bool:
    """Whether a participant's occurrence may go from `state` to `to`."""
    return to in MOVES.get(state, frozenset())


def sources_of(to: str) -> tuple[str, ...]:
    """The states from which `to` can be reached (the guard of a conditional UPDATE)."""
    return tuple(state for state in STATES if can_move(state, to))
