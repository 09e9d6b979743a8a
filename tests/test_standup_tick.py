"""The standup tick on both databases, at explicit instants: prompts at each person's local
time in Shanghai and New York across a DST change, weekends and holidays off, away, skip
and pause, role changes between occurrences, one reminder, work missed while down, the
digest's life, double and concurrent ticks, and prompts scheduled ahead."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest

from services.standup_answers import AnswerSaved, current_occurrence, submit_answer
from services.standup_messages import digest_posted, prompt_sent, reply_posted
from services.standup_plan import plan
from services.standup_presence import refresh_person
from services.standup_schedules import pause, resume, set_holidays, skip
from services.standup_tick import tick
from storage.db import Database
from tests.standup_helpers import (
    BASE,
    DEFAULTS,
    NY,
    SH,
    TEAM,
    Ticked,
    assign,
    away,
    person,
    run_tick,
    schedule,
    states,
    unassign,
    utc,
)

MON, TUE = date(2026, 3, 9), date(2026, 3, 10)  # New York moved to EDT on Sunday the 8th


@pytest.fixture
def team(db: Database) -> Database:
    """A tech lead in Shanghai and one in New York, a PM with no known zone (UTC)."""
    person(db, "UALICE", SH, "zh-CN", "tech-lead")
    person(db, "UBOB", NY, "en-US", "tech-lead")
    person(db, "UCAROL", None, "en-US", "product-manager")
    schedule(db, "tech lead, pm weekdays 09:30 <#C0GENERAL>")
    return db


def test_each_person_is_prompted_at_their_own_local_time(team: Database) -> None:
    assert run_tick(team, utc(2026, 3, 9, 1, 29)).prompts == []
    shanghai = run_tick(team, utc(2026, 3, 9, 1, 30))  # 09:30 in Shanghai
    assert shanghai.prompted == ["UALICE"]
    prompt = shanghai.prompts[0]
    assert prompt.lang == "zh" and prompt.tz == SH and prompt.local_date == MON
    assert prompt.post_at is None and not prompt.late
    assert prompt.cutoff_at == utc(2026, 3, 9, 5, 30)
    assert [r.key for r in prompt.roles] == ["tech-lead"]
    assert prompt.key.startswith("schedule:1:2026-03-09:UALICE:prompt:")
    assert run_tick(team, utc(2026, 3, 9, 9, 30)).prompted == ["UCAROL"]  # UTC, the default
    assert run_tick(team, utc(2026, 3, 9, 13, 29)).prompts == []
    assert run_tick(team, utc(2026, 3, 9, 13, 30)).prompted == ["UBOB"]  # 09:30 EDT


def test_a_dst_change_moves_the_utc_instant_not_the_local_time(team: Database) -> None:
    assert "UBOB" not in run_tick(team, utc(2026, 3, 6, 14, 29)).prompted
    assert run_tick(team, utc(2026, 3, 6, 14, 30)).prompted == ["UBOB"]  # Friday, 09:30 EST
    assert "UBOB" not in run_tick(team, utc(2026, 3, 9, 13, 29)).prompted
    assert run_tick(team, utc(2026, 3, 9, 13, 30)).prompted == ["UBOB"]  # Monday, 09:30 EDT


def test_a_time_skipped_by_dst_is_sent_when_the_clock_reads_it_plus_the_gap(db: Database) -> None:
    person(db, "UBOB", NY, "en-US", "tech-lead")
    schedule(db, "tl daily 02:30 <#C0GENERAL>")
    assert run_tick(db, utc(2026, 3, 8, 7, 29)).prompts == []
    sunday = run_tick(db, utc(2026, 3, 8, 7, 30))  # 03:30 EDT: 02:30 did not exist
    assert sunday.prompted == ["UBOB"] and sunday.prompts[0].local_date == date(2026, 3, 8)
    assert run_tick(db, utc(2026, 3, 9, 6, 30)).prompted == ["UBOB"]  # 02:30 EDT again


def test_weekends_and_public_holidays_are_off(team: Database) -> None:
    assert run_tick(team, utc(2026, 3, 14, 20, 0)).prompts == []  # Saturday everywhere
    assert run_tick(team, utc(2026, 3, 15, 20, 0)).prompts == []  # Sunday
    with team.begin() as session:
        assert set_holidays(session, TEAM, DEFAULTS, "cn") == "CN"
    # 2026-10-01, National Day in China: the workspace's calendar is off in every zone.
    assert run_tick(team, utc(2026, 10, 1, 1, 30)).prompts == []
    assert run_tick(team, utc(2026, 10, 1, 13, 30)).prompts == []
    assert run_tick(team, utc(2026, 10, 9, 1, 30)).prompted == ["UALICE"]  # back to work


def test_people_away_paused_or_skipping_are_out_not_prompted(team: Database) -> None:
    person(team, "UDAVE", SH, "en-US", "tech-lead")
    person(team, "UERIN", SH, "en-US", "tech-lead")
    person(team, "UFRAN", SH, "en-US", "tech-lead")
    away(team, "UDAVE", MON)
    with team.begin() as session:
        pause(session, TEAM, DEFAULTS, "UERIN", utc(2026, 3, 8, 12, 0))
        skip(session, TEAM, DEFAULTS, "UFRAN", "today", utc(2026, 3, 9, 0, 0))
    monday = run_tick(team, utc(2026, 3, 9, 1, 30))
    assert monday.prompted == ["UALICE"]
    digest = monday.digests[0]
    assert digest.post and digest.waiting == ("UALICE",)
    assert sorted(digest.out) == [("UDAVE", "away"), ("UERIN", "paused"), ("UFRAN", "skipped")]
    tuesday = run_tick(team, utc(2026, 3, 10, 1, 30))
    assert tuesday.prompted == ["UALICE", "UDAVE", "UFRAN"]  # back, and the skip is over
    with team.begin() as session:
        resume(session, TEAM, "UERIN", utc(2026, 3, 10, 2, 0))
    assert run_tick(team, utc(2026, 3, 10, 2, 0)).prompted == ["UERIN"]  # still in the window


def test_role_changes_between_occurrences(team: Database) -> None:
    assert run_tick(team, utc(2026, 3, 9, 1, 30)).prompted == ["UALICE"]
    unassign(team, "UALICE", "tech-lead")
    person(team, "UGUS", SH, "en-US")
    assign(team, "UGUS", "tech-lead")
    assert run_tick(team, utc(2026, 3, 10, 1, 30)).prompted == ["UGUS"]
    assert ("UALICE", TUE) not in states(team)


def test_a_role_lost_between_planning_and_prompt_withdraws_the_prompt(team: Database) -> None:
    with team.begin() as session:
        plan(session, utc(2026, 3, 9, 0, 0), DEFAULTS, horizon=timedelta(hours=2))
    unassign(team, "UALICE", "tech-lead")
    due = run_tick(team, utc(2026, 3, 9, 1, 30))
    assert due.prompts == [] and [(w.user_id, w.reason) for w in due.withdrawn] == [
        ("UALICE", "unassigned")
    ]


def test_one_reminder_to_each_who_has_not_answered(team: Database) -> None:
    person(team, "UDAVE", SH, "en-US", "tech-lead")
    run_tick(team, utc(2026, 3, 9, 1, 30))
    _answer(team, "UDAVE", utc(2026, 3, 9, 2, 0))
    assert run_tick(team, utc(2026, 3, 9, 4, 29)).reminders == []
    first = run_tick(team, utc(2026, 3, 9, 4, 30))  # an hour before the 05:30 cut-off
    assert first.reminded == ["UALICE"]
    assert first.reminders[0].key == "schedule:1:2026-03-09:UALICE:reminder"
    assert run_tick(team, utc(2026, 3, 9, 4, 30)).reminders == []
    assert run_tick(team, utc(2026, 3, 9, 5, 0)).reminders == []
    assert states(team)[("UALICE", MON)] == ("reminded", None)


def _answer(db: Database, user: str, at: datetime, blockers: str = "none") -> AnswerSaved:
    with db.begin() as session:
        row = current_occurrence(session, TEAM, user, "standup", at)
        values = {"done": "shipped", "planned": "more", "blockers": blockers}
        return submit_answer(session, DEFAULTS, TEAM, BASE, user, row.id, values, at)


def test_prompts_missed_while_down_go_until_the_cut_off_then_are_logged(team: Database) -> None:
    late = run_tick(team, utc(2026, 3, 9, 3, 0))  # down 01:30–03:00: still in the window
    assert late.prompted == ["UALICE"] and late.prompts[0].late
    # Planned ahead, then down through the cut-off: skipped, returned for the log.
    with team.begin() as session:
        plan(session, utc(2026, 3, 9, 9, 0), DEFAULTS, horizon=timedelta(hours=1))
    restart = run_tick(team, utc(2026, 3, 9, 14, 0))
    assert [m.user_id for m in restart.missed] == ["UCAROL"]
    assert restart.prompted == ["UBOB"]
    assert states(team)[("UCAROL", MON)] == ("missed", None)
    # Never planned before its cut-off: the slot itself is logged, nobody is prompted.
    tuesday = run_tick(team, utc(2026, 3, 10, 6, 0))
    assert tuesday.prompts == [] and [s.tz for s in tuesday.missed_slots] == [SH]
    assert run_tick(team, utc(2026, 3, 10, 6, 1)).missed_slots == []


def test_a_double_tick_claims_nothing_twice(team: Database) -> None:
    person(team, "UDAVE", SH, "en-US", "tech-lead")
    first = run_tick(team, utc(2026, 3, 9, 1, 30))
    again = run_tick(team, utc(2026, 3, 9, 1, 30))
    assert first.prompted == ["UALICE", "UDAVE"] and again.prompts == []
    assert len({p.key for p in first.prompts}) == 2
    assert [d.post for d in first.digests] == [True] and again.digests == []
    assert run_tick(team, utc(2026, 3, 9, 4, 30)).reminded == ["UALICE", "UDAVE"]
    assert run_tick(team, utc(2026, 3, 9, 4, 30)).reminders == []


def test_a_tick_that_dies_mid_fan_out_is_rerun_without_loss(team: Database) -> None:
    for n in range(20):
        person(team, f"UX{n:02d}", SH, "en-US", "tech-lead")
    with pytest.raises(RuntimeError), team.begin() as session:
        tick(session, utc(2026, 3, 9, 1, 30), BASE, DEFAULTS, limit=5)
        raise RuntimeError("killed before the deliveries were committed")
    rerun = run_tick(team, utc(2026, 3, 9, 1, 30), limit=5)
    assert len(rerun.prompts) == 21 == len({p.user_id for p in rerun.prompts})


def test_two_concurrent_tickers_claim_each_prompt_once(db: Database) -> None:
    for n in range(300):
        person(db, f"UP{n:03d}", [SH, "Asia/Tokyo"][n % 2], "en-US", "tech-lead")
    schedule(db, "tl weekdays 09:30 <#C0GENERAL>")
    at = utc(2026, 3, 9, 1, 30)  # both zones in their window
    seen: list[Ticked] = [Ticked(), Ticked()]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def ticker(index: int) -> None:
        try:
            start.wait()
            seen[index] = run_tick(db, at, limit=40)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=ticker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    keys = [p.key for s in seen for p in s.prompts]
    assert len(keys) == 300 == len(set(keys))
    assert sum(1 for s in seen for d in s.digests if d.post) == 1
    if db.engine.dialect.name == "postgresql":
        assert all(s.prompts for s in seen), "SKIP LOCKED lets both tickers take batches"


def test_the_digest_is_posted_at_the_first_prompt_and_final_at_the_last_cut_off(
    team: Database,
) -> None:
    opened = run_tick(team, utc(2026, 3, 9, 1, 30))
    assert [(d.post, d.final, d.final_at) for d in opened.digests] == [
        (True, False, utc(2026, 3, 9, 17, 30))  # 13:30 in New York
    ]
    _answer(team, "UALICE", utc(2026, 3, 9, 2, 0), "blocked on code review")
    assert run_tick(team, utc(2026, 3, 9, 9, 30)).digests == []  # posted once
    run_tick(team, utc(2026, 3, 9, 13, 30))
    assert run_tick(team, utc(2026, 3, 9, 17, 29)).digests == []
    final = run_tick(team, utc(2026, 3, 9, 17, 30)).digests
    assert len(final) == 1 and final[0].final and not final[0].post
    state = final[0]
    assert [a.user_id for a in state.blocked] == ["UALICE"]
    assert [role for role, _ in state.by_role] == ["tech-lead"]
    assert state.waiting == ("UBOB", "UCAROL") and state.later == ()
    assert state.final_key == "schedule:1:2026-03-09:digest:final"
    assert run_tick(team, utc(2026, 3, 9, 18, 0)).digests == []


def test_prompts_scheduled_ahead_carry_their_post_time_and_can_be_cancelled(
    team: Database,
) -> None:
    ahead = run_tick(team, utc(2026, 3, 8, 14, 0), horizon=timedelta(hours=24))
    assert ahead.prompted == ["UALICE", "UBOB", "UCAROL"]
    assert {p.user_id: p.post_at for p in ahead.prompts} == {
        "UALICE": utc(2026, 3, 9, 1, 30),
        "UCAROL": utc(2026, 3, 9, 9, 30),
        "UBOB": utc(2026, 3, 9, 13, 30),
    }
    assert ahead.digests == []  # posted at the first prompt, not when scheduled
    bob = next(p for p in ahead.prompts if p.user_id == "UBOB")
    with team.begin() as session:  # what chat.scheduleMessage answered
        assert prompt_sent(session, TEAM, bob.occurrence_id, "D0BOB", scheduled_message_id="Q1")
        assert not prompt_sent(session, "T2", bob.occurrence_id, "D0BOB")
    away(team, "UBOB", MON)
    with team.begin() as session:
        change = refresh_person(session, TEAM, "UBOB", utc(2026, 3, 8, 20, 0), DEFAULTS, BASE)
    assert [(c.user_id, c.reason, c.post_at) for c in change.cancelled] == [
        ("UBOB", "away", utc(2026, 3, 9, 13, 30))
    ]
    assert (change.cancelled[0].channel, change.cancelled[0].scheduled_message_id) == (
        "D0BOB",
        "Q1",
    )
    assert change.cancelled[0].prompt_key == bob.key
    assert change.cancelled[0].key.endswith(":cancel")
    away(team, "UBOB", None)
    with team.begin() as session:
        back = refresh_person(session, TEAM, "UBOB", utc(2026, 3, 8, 21, 0), DEFAULTS, BASE)
    assert back.restored == 1
    again = run_tick(team, utc(2026, 3, 8, 21, 0), horizon=timedelta(hours=24))
    assert again.prompted == ["UBOB"] and again.prompts[0].key != change.cancelled[0].prompt_key
    [digest] = run_tick(team, utc(2026, 3, 9, 1, 30)).digests
    assert digest.post and digest.ts is None
    with team.begin() as session:
        assert digest_posted(session, TEAM, digest.digest_id, "1773019800.000100")
        assert not digest_posted(session, TEAM, digest.digest_id, "1773019800.000200")
    saved = _answer(team, "UALICE", utc(2026, 3, 9, 2, 0))
    assert saved.digest is not None and saved.digest.ts == "1773019800.000100"
    assert saved.reply.thread_ts == "1773019800.000100"
    with team.begin() as session:
        assert reply_posted(session, TEAM, saved.answer_id, "1773019900.000100")


def test_someone_taking_a_role_joins_the_slots_planned_ahead(team: Database) -> None:
    run_tick(team, utc(2026, 3, 8, 14, 0), horizon=timedelta(hours=24))
    person(team, "UHAL", NY, "en-US")
    assign(team, "UHAL", "tech-lead")
    with team.begin() as session:
        assert (
            refresh_person(session, TEAM, "UHAL", utc(2026, 3, 8, 20, 0), DEFAULTS, BASE).added == 1
        )
    assert run_tick(team, utc(2026, 3, 9, 13, 30)).prompted == ["UHAL"]
