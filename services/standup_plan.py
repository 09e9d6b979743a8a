"""Planning: each schedule's slots (one per zone and local date) whose prompt time comes by
`now + horizon`, with an occurrence for each participant.

Computed from schedules and zones, never from people: a workspace's zones are read by one
index seek each (storage.schedules.team_zones), a page of schedules' planned slots by one
query, and the participants of a slot only when it is planned (once; the slot row is the
lock two tickers contend for). So a tick costs (schedules × zones × days), not participants.

Participants are the holders of the schedule's roles when their slot is planned, which is
at prompt time unless prompts are scheduled ahead (`horizon`); someone taking a role later
joins the planned slots through services.standup_presence.refresh_person, and every claim
checks again that the person still takes part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from domain.config import Defaults
from domain.schedules import MAX_WINDOW, Schedule, Slot, digest_window, due_slots, is_zone
from services.standup_context import Workspace, as_schedule, workspace
from services.standup_presence import absent
from storage.digests import digest_of, open_digest
from storage.models import PromptSchedule
from storage.occurrences import add_occurrences
from storage.schedules import (
    active_schedules,
    participants,
    plan_slot,
    planned_slots_of,
    team_zones,
    zone_has_holders,
)

PAGE = 200  # schedules read per query
# How far behind a schedule's window a slot is still looked for: one found unplanned (the
# app was down through its cut-off) is recorded once as missed, for the log.
LOOKBACK = timedelta(days=1)


@dataclass(frozen=True)
class MissedSlot:
    """A slot whose cut-off passed before anyone planned it (Rolecall was down): nobody was
    prompted; log it."""

    team_id: str
    schedule_id: int
    tz: str
    local_date: date
    prompt_at: datetime
    cutoff_at: datetime


@dataclass
class Planned:
    """What one planning pass did."""

    slots: int = 0
    occurrences: int = 0
    out: int = 0  # occurrences that start skipped (away, paused, skipping)
    missed: list[MissedSlot] = field(default_factory=list)


@dataclass
class _Teams:
    """Per-workspace facts read once per pass."""

    session: Session
    defaults: Defaults
    places: dict[str, Workspace] = field(default_factory=dict)
    zones: dict[str, list[str]] = field(default_factory=dict)
    held: dict[tuple[str, tuple[str, ...], str], bool] = field(default_factory=dict)

    def place(self, team_id: str) -> Workspace:
        if team_id not in self.places:
            self.places[team_id] = workspace(self.session, self.defaults, team_id)
        return self.places[team_id]

    def census(self, team_id: str) -> list[str]:
        if team_id not in self.zones:
            self.zones[team_id] = team_zones(self.session, team_id)
        return self.zones[team_id]

    def slot_zones(self, team_id: str) -> set[str]:
        """The zones a schedule of this workspace has slots in: its people's known zones
        and the default (people with no zone, or one this machine does not know)."""
        place = self.place(team_id)
        return {place.zone_of_tz(z) for z in self.census(team_id)} | {place.default_tz}

    def has_holders(self, team_id: str, roles: tuple[str, ...], tz: str) -> bool:
        """Whether the holders of `roles` include someone prompted in zone `tz`."""
        key = (team_id, roles, tz)
        if key not in self.held:
            zones = self.members(team_id, tz)
            self.held[key] = zone_has_holders(self.session, team_id, roles, zones)
        return self.held[key]

    def members(self, team_id: str, tz: str) -> list[str | None]:
        """The stored `tz` values whose people are prompted in zone `tz`."""
        place = self.place(team_id)
        if tz != place.default_tz:
            return [tz]
        return [tz, None, *(z for z in self.census(team_id) if not is_zone(z))]


def plan(
    session: Session, now: datetime, defaults: Defaults, horizon: timedelta = timedelta(0)
) -> Planned:
    """Plan every active schedule's slots whose prompt comes by `now + horizon` (and whose
    cut-off is ahead); slots found whose cut-off has passed are recorded as missed."""
    done = Planned()
    teams = _Teams(session, defaults)
    since_day = (now - timedelta(minutes=max(MAX_WINDOW.values())) - LOOKBACK).date()
    after_id = 0
    while page := active_schedules(session, after_id, PAGE):
        after_id = page[-1].id
        planned = planned_slots_of(session, [row.id for row in page], since_day)
        for row in page:
            _plan_schedule(session, row, teams, planned[row.id], now, horizon, done)
    return done


def _plan_schedule(
    session: Session,
    row: PromptSchedule,
    teams: _Teams,
    planned: set[tuple[date, str]],
    now: datetime,
    horizon: timedelta,
    done: Planned,
) -> None:
    schedule = as_schedule(row)
    place = teams.place(row.team_id)
    # From the schedule's creation: a schedule set at 10:00 for 09:30 starts tomorrow.
    since = max(row.created_at, now - schedule.window - LOOKBACK)
    zones = teams.slot_zones(row.team_id)
    for found in due_slots(schedule, zones, since, now + horizon, place.calendar):
        if (found.local_date, found.tz) in planned:
            continue
        if found.cutoff_at <= now:
            if _record(session, row.team_id, found, 0, now):
                done.missed.append(
                    MissedSlot(
                        row.team_id,
                        row.id,
                        found.tz,
                        found.local_date,
                        found.prompt_at,
                        found.cutoff_at,
                    )
                )
            continue
        _plan_slot(session, row.team_id, schedule, found, teams, now, done)


def _record(session: Session, team_id: str, found: Slot, count: int, now: datetime) -> bool:
    return plan_slot(
        session,
        team_id,
        found.schedule_id,
        found.local_date,
        found.tz,
        found.prompt_at,
        found.cutoff_at,
        count,
        now,
    )


def _plan_slot(
    session: Session,
    team_id: str,
    schedule: Schedule,
    found: Slot,
    teams: _Teams,
    now: datetime,
    done: Planned,
) -> None:
    users = participants(session, team_id, schedule.roles, teams.members(team_id, found.tz))
    if not _record(session, team_id, found, len(users), now):
        return  # another ticker planned it first
    done.slots += 1
    if not users:
        return
    out = absent(session, team_id, users, found.local_date)
    times = (found.prompt_at, found.remind_at, found.cutoff_at)
    done.occurrences += add_occurrences(
        session, team_id, schedule.id, found.local_date, found.tz, times, users, now, out
    )
    done.out += len(out)
    _open_digest(session, team_id, schedule, found, teams, now)


def _open_digest(
    session: Session,
    team_id: str,
    schedule: Schedule,
    found: Slot,
    teams: _Teams,
    now: datetime,
) -> None:
    """The occurrence's digest: on its first slot, posted at the first prompt of the date
    and final at the latest cut-off among the zones where the schedule has people; a later
    slot of a zone not foreseen widens it."""
    window = (found.prompt_at, found.cutoff_at)
    if digest_of(session, team_id, schedule.id, found.local_date) is None:
        zones = {found.tz} | {
            tz for tz in teams.slot_zones(team_id) if teams.has_holders(team_id, schedule.roles, tz)
        }
        place = teams.place(team_id)
        window = digest_window(schedule, zones, found.local_date, place.calendar) or window
    open_digest(session, team_id, schedule.id, found.local_date, schedule.channel, window, now)
