"""The weekly update's initial values: the person's own standups of the week, and customer
support's queue figures for that week."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from domain.schedules import STANDUP, zone
from domain.standup import (
    Blocker,
    DayAnswer,
    QueueFigures,
    WeeklyPrefill,
    bullets,
    progress_period,
    weekly_prefill,
)
from domain.standup_questions import BLOCKERS, DONE, PLANNED
from services.standup_blockers import RoutedBlocker, from_json
from storage.prompt_answers import answers_between
from storage.tickets import week_figures


def prefill_values(prefill: WeeklyPrefill | None) -> dict[str, str]:
    """The modal's initial done, planned and blockers text from a week's summary."""
    if prefill is None or not prefill.days_answered:
        return {}
    return {
        DONE: bullets(prefill.done),
        PLANNED: bullets(prefill.planned),
        BLOCKERS: "\n".join(b.text for b in prefill.open_blockers),
    }


def week_of(session: Session, team_id: str, user_id: str, day: date) -> WeeklyPrefill:
    """The weekly update's pre-filled values: the person's own standups of the 7 local days
    ending `day` (done items once each, the latest plan, blockers still open)."""
    first, last = progress_period(day)
    answers = answers_between(session, team_id, user_id, STANDUP, first, last)
    return weekly_prefill(
        DayAnswer(a.local_date, a.done, a.planned, _dated(from_json(a.blockers or [])))
        for a in answers
    )


def _dated(blockers: tuple[RoutedBlocker, ...]) -> tuple[Blocker, ...]:
    return tuple(Blocker(b.text, b.since) for b in blockers)


def queue_figures(
    session: Session, team_id: str, tz: str, day: date, now: datetime
) -> QueueFigures:
    """The support queue over the 7 local days ending `day` in `tz` (up to `now`): filed and
    resolved in them, open at their end, the oldest open and the open ones by severity."""
    first, last = progress_period(day)
    here = zone(tz)
    start = datetime.combine(first, time(0), tzinfo=here).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=here).astimezone(UTC)
    week = week_figures(session, team_id, start, min(end, now))
    oldest = week.oldest_open
    return QueueFigures(
        filed=week.filed,
        resolved=week.resolved,
        open=week.open,
        oldest_open_days=(min(end, now) - oldest).days if oldest is not None else None,
        open_by_severity=week.open_by_severity,
    )
