"""The standup commands' services on both databases: schedules set, listed and removed by
admins, the holiday calendar shared with `/rolecall config`, a person's skip, pause and
resume, reports by date and by person, and the next prompts App Home shows."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.errors import NotFound, UsageError
from domain.schedules import PROGRESS, STANDUP
from services.config import workspace_config
from services.standup_answers import answer_form, submit_answer
from services.standup_reports import DayReport, PersonReport, next_prompts, report
from services.standup_schedules import (
    add_schedule,
    list_schedules,
    pause,
    remove_schedule,
    resume,
    set_holidays,
    skip,
)
from storage.db import Database
from tests.standup_helpers import (
    BASE,
    DEFAULTS,
    NY,
    SH,
    TEAM,
    away,
    person,
    run_tick,
    schedule,
    states,
    utc,
)


def test_schedules_name_roles_as_role_does_and_are_removed_by_id(db: Database) -> None:
    added = schedule(db, "Tech Lead, 产品经理 mon-fri 09:30 <#C0GENERAL> 2h")
    assert [r.key for r in added.roles] == ["tech-lead", "product-manager"]
    assert added.days_text == "weekdays" and added.time_text == "09:30"
    assert added.schedule.window_minutes == 120
    everyone = schedule(db, "all fri 16:00 <#C0GENERAL>", kind=PROGRESS)
    assert everyone.roles == () and everyone.schedule.everyone
    with db.begin() as session, pytest.raises(NotFound) as unknown:
        add_schedule(
            session,
            TEAM,
            BASE,
            STANDUP,
            "wizard daily 09:00 <#C0GENERAL>",
            "UADMIN",
            utc(2026, 3, 1),
        )
    assert unknown.value.key == "error.unknown_role" and unknown.value.usage == "standup.usage"
    with db.begin() as session:
        assert [v.schedule.id for v in list_schedules(session, TEAM, BASE, STANDUP)] == [1]
        with pytest.raises(NotFound):  # a progress schedule is not removed by /standup
            remove_schedule(session, TEAM, BASE, STANDUP, "2", "UADMIN", utc(2026, 3, 1))
        with pytest.raises(UsageError):
            remove_schedule(session, TEAM, BASE, STANDUP, "first", "UADMIN", utc(2026, 3, 1))
        removed = remove_schedule(session, TEAM, BASE, STANDUP, "#1", "UADMIN", utc(2026, 3, 1))
        assert removed.schedule.schedule.id == 1
        assert list_schedules(session, TEAM, BASE, STANDUP) == []


def test_a_removed_schedule_prompts_nobody_and_cancels_what_was_scheduled(db: Database) -> None:
    person(db, "UTINA", SH, "en-US", "tech-lead")
    person(db, "UBOB", NY, "en-US", "tech-lead")
    schedule(db, "tl weekdays 09:30 <#C0GENERAL>")
    ahead = run_tick(db, utc(2026, 3, 9, 0, 0), horizon=timedelta(hours=2))
    assert ahead.prompted == ["UTINA"]
    with db.begin() as session:
        removed = remove_schedule(session, TEAM, BASE, STANDUP, "1", "UADMIN", utc(2026, 3, 9, 1))
    assert [c.user_id for c in removed.cancelled] == ["UTINA"]
    assert run_tick(db, utc(2026, 3, 9, 13, 30)).prompts == []


def test_holidays_is_the_setting_rolecall_config_stores(db: Database) -> None:
    with db.begin() as session:
        assert set_holidays(session, TEAM, DEFAULTS, "") is None
        assert set_holidays(session, TEAM, DEFAULTS, "us") == "US"
        assert workspace_config(session, DEFAULTS, TEAM).holidays == "US"
        with pytest.raises(UsageError) as bad:
            set_holidays(session, TEAM, DEFAULTS, "XX")
        assert bad.value.usage == "standup.usage" and bad.value.key == "rolecall.config.bad_value"
        assert set_holidays(session, TEAM, DEFAULTS, "off") is None


def test_skip_pause_and_resume(db: Database) -> None:
    person(db, "UTINA", SH, "en-US", "tech-lead")
    schedule(db, "tl weekdays 09:30 <#C0GENERAL>")
    with db.begin() as session:
        skipped = skip(session, TEAM, DEFAULTS, "UTINA", "until 2026-03-10", utc(2026, 3, 8))
        assert skipped.until == date(2026, 3, 10)
        with pytest.raises(UsageError):
            skip(session, TEAM, DEFAULTS, "UTINA", "until 2026-03-01", utc(2026, 3, 8))
    assert run_tick(db, utc(2026, 3, 9, 1, 30)).prompts == []
    assert run_tick(db, utc(2026, 3, 10, 1, 30)).prompts == []
    assert run_tick(db, utc(2026, 3, 11, 1, 30)).prompted == ["UTINA"]
    with db.begin() as session:
        paused = pause(session, TEAM, DEFAULTS, "UTINA", utc(2026, 3, 11, 2, 0))
        assert paused.withdrawn == 1  # today's prompt, unanswered: out, not late
    assert states(db)[("UTINA", date(2026, 3, 11))] == ("skipped", "paused")
    assert run_tick(db, utc(2026, 3, 12, 1, 30)).prompts == []
    with db.begin() as session:
        assert resume(session, TEAM, "UTINA", utc(2026, 3, 12, 2, 0)).restored == 1
        with pytest.raises(UsageError):
            resume(session, TEAM, "UTINA", utc(2026, 3, 12, 2, 0))
    assert run_tick(db, utc(2026, 3, 12, 2, 0)).prompted == ["UTINA"]


def _answer(db: Database, user: str, at: datetime, blockers: str = "") -> None:
    with db.begin() as session:
        form = answer_form(session, TEAM, BASE, user, at)
        values = {"done": f"{user} done", "planned": "next", "blockers": blockers}
        submit_answer(session, DEFAULTS, TEAM, BASE, user, form.occurrence_id, values, at)


def test_reports_by_date_and_by_person(db: Database) -> None:
    person(db, "UTINA", SH, "en-US", "tech-lead")
    person(db, "UTOM", SH, "en-US", "tech-lead")
    schedule(db, "tl weekdays 09:30 <#C0GENERAL>")
    for day in (9, 10):
        run_tick(db, utc(2026, 3, day, 1, 30))
        _answer(db, "UTINA", utc(2026, 3, day, 2, 0), "blocked on code review")
    with db.begin() as session:
        by_date = report(
            session, TEAM, BASE, DEFAULTS, STANDUP, "2026-03-09", "UTOM", utc(2026, 3, 11)
        )
        today = report(session, TEAM, BASE, DEFAULTS, STANDUP, "", "UTOM", utc(2026, 3, 10, 3))
        mine = report(
            session,
            TEAM,
            BASE,
            DEFAULTS,
            STANDUP,
            "<@UTINA> 2026-03-01 2026-03-31",
            "UTOM",
            utc(2026, 3, 11),
        )
        for bad in ("yesterday", "<@UTINA> 2026-03-31", "<@UTINA> 2026-03-31 2026-03-01"):
            with pytest.raises(UsageError):
                report(session, TEAM, BASE, DEFAULTS, STANDUP, bad, "UTOM", utc(2026, 3, 11))
    assert isinstance(by_date, DayReport) and by_date.day == date(2026, 3, 9)
    [digest] = by_date.digests
    assert digest.answered == 1 and digest.waiting == ("UTOM",)
    assert isinstance(today, DayReport) and today.digests[0].local_date == date(2026, 3, 10)
    assert isinstance(mine, PersonReport) and [a.local_date for a in mine.answers] == [
        date(2026, 3, 9),
        date(2026, 3, 10),
    ]
    assert mine.answers[1].blockers[0].since == date(2026, 3, 9)


def test_app_home_shows_the_next_prompts_in_the_persons_zone(db: Database) -> None:
    person(db, "UTINA", SH, "en-US", "tech-lead")
    schedule(db, "tl weekdays 09:30 <#C0GENERAL>")
    schedule(db, "tl fri 16:00 <#C0GENERAL>", kind=PROGRESS)
    friday_evening = utc(2026, 3, 13, 12, 0)  # 20:00 in Shanghai
    with db.begin() as session:
        home = next_prompts(session, TEAM, DEFAULTS, "UTINA", friday_evening)
    assert [(p.schedule.kind, p.prompt_at) for p in home.prompts] == [
        (STANDUP, utc(2026, 3, 16, 1, 30)),  # Monday, the weekend passed over
        (PROGRESS, utc(2026, 3, 20, 8, 0)),
    ]
    assert all(p.tz == SH and p.open_occurrence_id is None for p in home.prompts)
    away(db, "UTINA", date(2026, 3, 17))
    run_tick(db, utc(2026, 3, 20, 8, 0))
    with db.begin() as session:
        during = next_prompts(session, TEAM, DEFAULTS, "UTINA", utc(2026, 3, 16, 0, 0))
        assert during.away_until == date(2026, 3, 17)
        assert during.prompts[0].prompt_at == utc(2026, 3, 18, 1, 30)
        open_now = next_prompts(session, TEAM, DEFAULTS, "UTINA", utc(2026, 3, 20, 9, 0))
        assert open_now.prompts[0].open_occurrence_id is not None
        pause(session, TEAM, DEFAULTS, "UTINA", utc(2026, 3, 20, 10, 0))
        paused = next_prompts(session, TEAM, DEFAULTS, "UTINA", utc(2026, 3, 20, 10, 0))
    assert paused.paused and paused.prompts == ()
