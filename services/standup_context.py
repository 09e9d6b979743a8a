"""What the standup use cases share: stored schedules as domain values, a workspace's zone
and holiday calendar, a person's zone and language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from domain.availability import HolidayCalendar
from domain.config import Defaults
from domain.schedule_parsing import stored_schedule
from domain.schedules import Schedule, local_day, zone_or_default
from i18n import lang_of
from services.config import workspace_config
from storage.models import PromptSchedule, UserProfile
from storage.profiles import get_profile


def as_schedule(row: PromptSchedule) -> Schedule:
    """The domain value of a stored schedule."""
    return stored_schedule(
        row.id, row.kind, row.roles or (), row.days, row.local_time, row.channel, row.window_minutes
    )


@dataclass(frozen=True)
class Workspace:
    """A workspace's standup settings: its default zone and its holiday calendar."""

    team_id: str
    default_tz: str
    calendar: HolidayCalendar

    def zone_of(self, profile: UserProfile | None) -> str:
        """A person's zone: their Slack `tz` when known and valid, else the default."""
        return self.zone_of_tz(profile.tz if profile else None)

    def zone_of_tz(self, tz: str | None) -> str:
        """The zone someone whose stored `tz` is this is prompted in."""
        return zone_or_default(tz, self.default_tz)


def workspace(session: Session, defaults: Defaults, team_id: str) -> Workspace:
    """A workspace's standup settings (`/rolecall config default_tz|holidays`)."""
    config = workspace_config(session, defaults, team_id)
    tz = zone_or_default(config.default_tz, "UTC")
    return Workspace(team_id, tz, HolidayCalendar(config.holidays))


@dataclass(frozen=True)
class PersonPlace:
    """Where and how a person reads their prompts: zone and language."""

    user_id: str
    tz: str
    lang: str

    def today(self, now: datetime) -> date:
        """The date on the person's wall at `now`."""
        return local_day(now, self.tz)


def person(session: Session, place: Workspace, user_id: str) -> PersonPlace:
    """A person's zone and language, from their cached Slack profile."""
    profile = get_profile(session, place.team_id, user_id)
    return PersonPlace(
        user_id, place.zone_of(profile), lang_of(profile.locale if profile else None)
    )
