"""`/standup` and `/progress` commands that change who is prompted when: schedules (admin),
the holiday calendar (admin), and a person's own skip, pause and resume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from domain.availability import MAX_SKIP_DAYS, PAUSED, SKIPPED, parse_skip
from domain.catalog import Catalog, Role
from domain.config import Defaults
from domain.errors import NotFound, UsageError
from domain.schedule_parsing import format_days, format_time, parse_schedule
from domain.schedules import PENDING, PROGRESS, PROMPTED, STANDUP, Schedule
from services.config import change_config, workspace_config
from services.roles import find_role, workspace_catalog
from services.standup_context import as_schedule, person, workspace
from services.standup_presence import REMOVED, Cancellation, withdraw
from storage import schedules as store
from storage.models import PromptSchedule
from storage.occurrences import skip_range, unskip, upcoming_of
from storage.prompt_answers import pause_of, set_pause

USAGE = {STANDUP: "standup.usage", PROGRESS: "progress.usage"}
_CLEAR = ("off", "none", "reset", "unset", "default", "关闭", "无")


@dataclass(frozen=True)
class ScheduleView:
    """A schedule with its roles as the catalogue names them (empty: every role)."""

    schedule: Schedule
    roles: tuple[Role, ...]
    created_by: str
    created_at: datetime

    @property
    def days_text(self) -> str:
        """The days as stored and shown (`weekdays`, `mon,wed,fri`)."""
        return format_days(self.schedule.days)

    @property
    def time_text(self) -> str:
        """The local time as shown (`09:30`)."""
        return format_time(self.schedule.at)


def _view(row: PromptSchedule, catalog: Catalog) -> ScheduleView:
    schedule = as_schedule(row)
    roles = tuple(catalog.roles[k] for k in schedule.roles if k in catalog.roles)
    return ScheduleView(schedule, roles, row.created_by, row.created_at)


def add_schedule(
    session: Session, team_id: str, base: Catalog, kind: str, text: str, actor: str, now: datetime
) -> ScheduleView:
    """`/standup schedule <role|all> <days> <HH:MM> <#channel> [window]` (or `/progress
    schedule … <day> …`): roles named by key, name or alias, as `/role` reads them."""
    request = parse_schedule(kind, text, USAGE[kind])
    catalog = workspace_catalog(session, team_id, base)
    roles = tuple(dict.fromkeys(find_role(catalog, n, USAGE[kind]) for n in request.role_names))
    row = store.add_schedule(
        session,
        team_id,
        kind=kind,
        roles=[role.key for role in roles],
        days=format_days(request.days),
        local_time=format_time(request.at),
        channel=request.channel,
        window_minutes=request.window_minutes,
        created_by=actor,
        at=now,
    )
    return _view(row, catalog)


def list_schedules(session: Session, team_id: str, base: Catalog, kind: str) -> list[ScheduleView]:
    """`/standup schedules`: the workspace's active schedules of one kind, oldest first."""
    catalog = workspace_catalog(session, team_id, base)
    return [_view(row, catalog) for row in store.schedules_of(session, team_id, kind)]


def parse_schedule_id(text: str, kind: str) -> int:
    """A schedule id as typed: `7` or `#7`."""
    token = text.strip().removeprefix("#")
    if not token.isdigit() or len(token) > 9:
        raise UsageError("standup.error.bad_id", usage=USAGE[kind], text=text.strip())
    return int(token)


@dataclass(frozen=True)
class Removal:
    """A removed schedule, and its prompts already scheduled in Slack that must be deleted."""

    schedule: ScheduleView
    withdrawn: int
    cancelled: tuple[Cancellation, ...]


def remove_schedule(
    session: Session,
    team_id: str,
    base: Catalog,
    kind: str,
    text: str,
    actor: str,
    now: datetime,
) -> Removal:
    """`/standup unschedule <id>`: nobody is prompted for it any more (prompts not sent yet
    are withdrawn; answers and digests stay)."""
    schedule_id = parse_schedule_id(text, kind)
    row = store.schedule_by_id(session, team_id, schedule_id)
    if row is None or row.kind != kind or not row.active:
        raise NotFound("standup.error.no_schedule", usage=USAGE[kind], id=schedule_id)
    store.remove_schedule(session, team_id, kind, schedule_id, actor, now)
    ahead = [
        r
        for r in upcoming_of(session, team_id, schedule_id=schedule_id, after=now)
        if r.state in (PENDING, PROMPTED)
    ]
    reasons = {r.id: REMOVED for r in ahead}
    cancelled = withdraw(session, ahead, reasons, now)
    return Removal(
        _view(row, workspace_catalog(session, team_id, base)), len(ahead), tuple(cancelled)
    )


def set_holidays(session: Session, team_id: str, defaults: Defaults, text: str) -> str | None:
    """`/standup holidays <country code>`: the workspace's `holidays` setting, the one
    `/rolecall config holidays` sets (`off` clears it; no text shows it). Returns the
    calendar in force."""
    value = text.strip()
    if value:
        raw = "reset" if value.casefold() in _CLEAR else value
        try:
            change_config(session, team_id, "holidays", raw)
        except UsageError as error:
            raise UsageError(error.key, usage=USAGE[STANDUP], **error.params) from None
    return workspace_config(session, defaults, team_id).holidays


@dataclass(frozen=True)
class Absence:
    """What `/standup skip`, `pause` or `resume` did."""

    until: date | None  # the last skipped local date (skip), None otherwise
    withdrawn: int = 0  # occurrences now skipped
    restored: int = 0  # occurrences prompted again (resume)
    cancelled: tuple[Cancellation, ...] = ()


def skip(
    session: Session, team_id: str, defaults: Defaults, user_id: str, text: str, now: datetime
) -> Absence:
    """`/standup skip [today|tomorrow|until YYYY-MM-DD]`: no prompts through that local date
    (the person's own); the digests list them as out."""
    who = person(session, workspace(session, defaults, team_id), user_id)
    today = who.today(now)
    until = parse_skip(text, today, USAGE[STANDUP])
    set_pause(session, team_id, user_id, now, skip_until=until)
    return _withdraw_range(session, team_id, user_id, today, until, SKIPPED, now, until)


def pause(
    session: Session, team_id: str, defaults: Defaults, user_id: str, now: datetime
) -> Absence:
    """`/standup pause`: no prompts until `/standup resume`."""
    who = person(session, workspace(session, defaults, team_id), user_id)
    today = who.today(now)
    set_pause(session, team_id, user_id, now, paused=True)
    last = today + timedelta(days=MAX_SKIP_DAYS)
    return _withdraw_range(session, team_id, user_id, today, last, PAUSED, now, None)


def _withdraw_range(
    session: Session,
    team_id: str,
    user_id: str,
    first: date,
    last: date,
    reason: str,
    now: datetime,
    until: date | None,
) -> Absence:
    ahead = [
        r
        for r in upcoming_of(session, team_id, user_id=user_id, after=now)
        if first <= r.local_date <= last and r.state in (PENDING, PROMPTED)
    ]
    cancelled = withdraw(session, ahead, {r.id: reason for r in ahead}, now)
    # Occurrences already prompted today and not answered: the person is out, not late.
    later = skip_range(session, team_id, user_id, first, last, reason, now)
    return Absence(until, len(ahead) + later, 0, tuple(cancelled))


def resume(session: Session, team_id: str, user_id: str, now: datetime) -> Absence:
    """`/standup resume`: prompts again from now (a pause and a skip are both lifted;
    occurrences skipped whose cut-off is ahead are prompted)."""
    current = pause_of(session, team_id, user_id)
    if current is None or (not current.paused and current.skip_until is None):
        raise UsageError("standup.error.not_paused", usage=USAGE[STANDUP])
    set_pause(session, team_id, user_id, now, paused=False, skip_until=None)
    restored = unskip(session, team_id, user_id, (PAUSED, SKIPPED), now)
    return Absence(None, 0, restored)
