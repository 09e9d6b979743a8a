"""Helpers for the standup service tests: a workspace of people in several zones, role
holders, schedules set as an admin types them, and ticks at explicit instants."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.settings import DEFAULT_CATALOG, Settings
from domain.catalog import Catalog, load_catalog
from domain.schedules import STANDUP
from services.standup_digest import DigestState
from services.standup_plan import MissedSlot
from services.standup_schedules import ScheduleView, add_schedule
from services.standup_tick import Due, MissedPrompt, PromptDue, ReminderDue, Withdrawn, tick
from storage.db import Database
from storage.models import PromptOccurrence
from storage.roles import add_holder, remove_holder, set_absence
from tests.services_fixtures import profile

TEAM = "T1"
SH, NY = "Asia/Shanghai", "America/New_York"
BASE: Catalog = load_catalog(Path(DEFAULT_CATALOG))
DEFAULTS = Settings(default_tz="UTC")
EPOCH = datetime(2026, 3, 1, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant in UTC: utc(2026, 3, 9, 1, 30)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def person(db: Database, user: str, tz: str | None, locale: str = "en-US", *roles: str) -> None:
    """A person with a cached profile (zone, language) holding `roles`."""
    with db.begin() as session:
        profile(session, user, team=TEAM, tz=tz, locale=locale, fetched_at=EPOCH)
        for role in roles:
            add_holder(session, TEAM, role, user, "UADMIN", EPOCH)


def assign(db: Database, user: str, role: str, at: datetime = EPOCH) -> None:
    """Give `user` a role."""
    with db.begin() as session:
        add_holder(session, TEAM, role, user, "UADMIN", at)


def unassign(db: Database, user: str, role: str) -> None:
    """Take a role from `user`."""
    with db.begin() as session:
        remove_holder(session, TEAM, role, user)


def away(db: Database, user: str, until: date | None) -> None:
    """Mark `user` away until a date (None: back)."""
    with db.begin() as session:
        set_absence(session, TEAM, user, until)


def schedule(db: Database, text: str, kind: str = STANDUP, at: datetime = EPOCH) -> ScheduleView:
    """A schedule as an admin types it."""
    with db.begin() as session:
        return add_schedule(session, TEAM, BASE, kind, text, "UADMIN", at)


@dataclass
class Ticked:
    """Everything the ticks of one instant claimed, all batches together."""

    prompts: list[PromptDue] = field(default_factory=list)
    reminders: list[ReminderDue] = field(default_factory=list)
    digests: list[DigestState] = field(default_factory=list)
    missed: list[MissedPrompt] = field(default_factory=list)
    withdrawn: list[Withdrawn] = field(default_factory=list)
    missed_slots: list[MissedSlot] = field(default_factory=list)

    def add(self, due: Due) -> None:
        self.prompts += due.prompts
        self.reminders += due.reminders
        self.digests += due.digests
        self.missed += due.missed
        self.withdrawn += due.withdrawn
        self.missed_slots += due.missed_slots

    @property
    def prompted(self) -> list[str]:
        """Who was prompted, by user id."""
        return sorted(p.user_id for p in self.prompts)

    @property
    def reminded(self) -> list[str]:
        """Who was reminded, by user id."""
        return sorted(r.user_id for r in self.reminders)


def run_tick(
    db: Database, at: datetime, horizon: timedelta = timedelta(0), limit: int = 500
) -> Ticked:
    """Tick at `at` until nothing more is due, one transaction per batch."""
    seen = Ticked()
    while True:
        with db.begin() as session:
            due = tick(session, at, BASE, DEFAULTS, horizon=horizon, limit=limit)
        seen.add(due)
        if not due.more:
            return seen


def states(db: Database) -> dict[tuple[str, date], tuple[str, str | None]]:
    """Every occurrence's (state, reason), by (user, local date)."""
    with db.begin() as session:
        rows = session.scalars(select(PromptOccurrence)).all()
        return {(r.user_id, r.local_date): (r.state, r.reason) for r in rows}
