"""Answering standups through the services on both databases: the modal's questions per
role, answers and edits until the cut-off, the digest updated in place, role-routed and
carried-over blockers told once, the weekly update pre-filled with support's figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.errors import Conflict, NotAllowed, NotFound
from domain.routing import NO_HOLDER
from domain.schedules import PROGRESS
from services.standup_answers import AnswerSaved, answer_form, submit_answer
from storage.db import Database
from storage.models import Ticket
from storage.roles import set_backup
from storage.tickets import add_numbered
from tests.standup_helpers import (
    BASE,
    DEFAULTS,
    SH,
    TEAM,
    away,
    person,
    run_tick,
    schedule,
    utc,
)

MON = date(2026, 3, 9)
AT_MON = utc(2026, 3, 9, 1, 30)  # 09:30 in Shanghai


@pytest.fixture
def team(db: Database) -> Database:
    """A PM and two tech leads in Shanghai, a 09:30 weekday standup."""
    person(db, "UPAM", SH, "en-US", "product-manager")
    person(db, "UTINA", SH, "zh-CN", "tech-lead")
    person(db, "UTOM", SH, "en-US", "tech-lead")
    schedule(db, "pm, tech-lead weekdays 09:30 <#C0GENERAL>")
    return db


def _answer(
    db: Database, user: str, at: datetime, blockers: str = "", **values: str
) -> AnswerSaved:
    with db.begin() as session:
        form = answer_form(session, TEAM, BASE, user, at)
        given = {"done": "shipped the spec", "planned": "review", "blockers": blockers, **values}
        return submit_answer(session, DEFAULTS, TEAM, BASE, user, form.occurrence_id, given, at)


def test_the_modal_asks_each_role_its_own_questions(team: Database) -> None:
    prompts = run_tick(team, AT_MON).prompts
    by_user = {p.user_id: p for p in prompts}
    pm = [f.question.en for f in by_user["UPAM"].fields if f.question]
    assert "Which requirements or priorities changed, and who needs to know?" in pm
    lead = by_user["UTINA"].fields
    assert [f.id for f in lead][0] == "done" and lead[-1].id == "blockers"
    assert any("technical decisions" in (f.question.en if f.question else "") for f in lead)
    assert by_user["UTINA"].lang == "zh"
    with team.begin() as session:
        form = answer_form(session, TEAM, BASE, "UTINA", utc(2026, 3, 9, 2, 0))
    assert form.fields == lead and not form.editing and form.local_date == MON
    assert form.occurrence_id == by_user["UTINA"].occurrence_id


def test_no_open_occurrence_someone_elses_and_after_the_cut_off(team: Database) -> None:
    with team.begin() as session, pytest.raises(NotFound) as none:
        answer_form(session, TEAM, BASE, "UPAM", AT_MON)
    assert none.value.key == "standup.error.none_open"
    prompts = {p.user_id: p for p in run_tick(team, AT_MON).prompts}
    with team.begin() as session, pytest.raises(NotAllowed):
        answer_form(
            session, TEAM, BASE, "UTOM", AT_MON, occurrence_id=prompts["UPAM"].occurrence_id
        )
    late = utc(2026, 3, 9, 5, 30)
    with team.begin() as session, pytest.raises(Conflict) as closed:
        submit_answer(
            session, DEFAULTS, TEAM, BASE, "UPAM", prompts["UPAM"].occurrence_id, {}, late
        )
    assert closed.value.key == "standup.error.closed"


def test_an_answer_is_edited_until_the_cut_off_and_the_digest_follows(team: Database) -> None:
    run_tick(team, AT_MON)
    first = _answer(team, "UPAM", utc(2026, 3, 9, 2, 0))
    assert not first.edited and first.reply.key == "schedule:1:2026-03-09:UPAM:reply"
    assert first.reply.digest_key == "schedule:1:2026-03-09:digest"
    assert first.digest is not None and first.digest.answered == 1
    assert first.digest.waiting == ("UTINA", "UTOM")
    edit = _answer(team, "UPAM", utc(2026, 3, 9, 3, 0), done="shipped the spec and the FAQ")
    assert edit.edited and edit.reply.update_key and edit.answer_id == first.answer_id
    assert edit.digest is not None
    [(role, group)] = edit.digest.by_role
    assert role == "product-manager" and group[0].done == "shipped the spec and the FAQ"
    assert group[0].edited
    with team.begin() as session:
        form = answer_form(session, TEAM, BASE, "UPAM", utc(2026, 3, 9, 4, 0))
    assert form.editing and form.fields[0].initial == "shipped the spec and the FAQ"
    assert run_tick(team, utc(2026, 3, 9, 4, 30)).reminded == ["UTINA", "UTOM"]


def test_a_blocker_naming_an_area_is_routed_to_its_role_holders(team: Database) -> None:
    run_tick(team, AT_MON)
    saved = _answer(team, "UPAM", utc(2026, 3, 9, 2, 0), "- blocked on code review\n- CI is red")
    review, ci = saved.blockers
    assert review.route is not None and ci.route is None
    assert (review.route.kind, review.route.key, review.route.role) == (
        "area",
        "code-review",
        "tech-lead",
    )
    assert review.route.people == ("UTINA", "UTOM") and not review.route.backup
    assert sorted(n.to_user for n in saved.notices) == ["UTINA", "UTOM"]
    assert len({n.key for n in saved.notices}) == 2
    assert saved.digest is not None and [a.user_id for a in saved.digest.blocked] == ["UPAM"]


@pytest.mark.parametrize(
    ("line", "role"),
    [
        ("waiting on design", "ux-ui-designer"),  # the issue's own examples
        ("等设计", "ux-ui-designer"),
        ("blocked on design review", "ux-ui-designer"),
        ("需要技术负责人评审", "tech-lead"),
    ],
)
def test_blockers_as_people_write_them_reach_the_role(team: Database, line: str, role: str) -> None:
    person(team, "UDANA", SH, "en-US", "ux-ui-designer")
    run_tick(team, AT_MON)
    saved = _answer(team, "UPAM", utc(2026, 3, 9, 2, 0), line)
    route = saved.blockers[0].route
    assert route is not None and route.role == role
    told = {"ux-ui-designer": ["UDANA"], "tech-lead": ["UTINA", "UTOM"]}[role]
    assert sorted(n.to_user for n in saved.notices) == told


def test_the_backup_is_told_when_every_holder_is_away(team: Database) -> None:
    person(team, "UBEN", SH, "en-US")
    with team.begin() as session:
        set_backup(session, TEAM, "tech-lead", "UBEN")
    away(team, "UTINA", MON)
    away(team, "UTOM", MON)
    run_tick(team, AT_MON)
    saved = _answer(team, "UPAM", utc(2026, 3, 9, 2, 0), "waiting for code review")
    route = saved.blockers[0].route
    assert route is not None and route.people == ("UBEN",) and route.backup
    assert [n.to_user for n in saved.notices] == ["UBEN"]


def test_a_carried_blocker_keeps_its_age_and_tells_nobody_twice(team: Database) -> None:
    run_tick(team, AT_MON)
    monday = _answer(team, "UPAM", utc(2026, 3, 9, 2, 0), "blocked on code review")
    run_tick(team, utc(2026, 3, 10, 1, 30))
    tuesday = _answer(team, "UPAM", utc(2026, 3, 10, 2, 0), "still blocked on code review!")
    run_tick(team, utc(2026, 3, 12, 1, 30))  # no answer on Wednesday
    thursday = _answer(team, "UPAM", utc(2026, 3, 12, 2, 0), "Blocked on code review")
    blocker = thursday.blockers[0]
    assert blocker.since == MON and blocker.carried(date(2026, 3, 12))
    assert blocker.age_days(date(2026, 3, 12)) == 3
    assert tuesday.blockers[0].id == monday.blockers[0].id == blocker.id
    assert {n.key for n in monday.notices} == {n.key for n in thursday.notices}
    edited = _answer(team, "UPAM", utc(2026, 3, 12, 3, 0), "blocked on code review\nlegal")
    assert {n.key for n in edited.notices} == {n.key for n in thursday.notices}


def test_the_blocked_person_is_not_told_about_their_own_blocker(team: Database) -> None:
    run_tick(team, AT_MON)
    saved = _answer(team, "UTINA", utc(2026, 3, 9, 2, 0), "blocked on code review")
    route = saved.blockers[0].route
    assert route is not None and route.people == ("UTOM",)


def _ticket(db: Database, severity: str, created: datetime, resolved: datetime | None) -> None:
    with db.begin() as session:
        add_numbered(
            session,
            Ticket(
                team_id=TEAM,
                summary=f"{severity} issue",
                severity=severity,
                category="bug",
                status="resolved" if resolved else "new",
                reporter_id="UCS",
                created_at=created,
                updated_at=created,
                resolved_at=resolved,
            ),
        )


def test_the_weekly_update_is_prefilled_from_the_weeks_standups_and_queue(db: Database) -> None:
    person(db, "UCS", SH, "en-US", "customer-support")
    schedule(db, "support weekdays 09:30 <#C0GENERAL>")
    schedule(db, "support fri 16:00 <#C0GENERAL>", kind=PROGRESS)
    week = [
        ("answered the refund tickets", "triage", "waiting for code review"),
        ("answered the refund tickets\nwrote the FAQ", "FAQ", "waiting for code review"),
        ("closed #12", "follow up on #12", "none"),
    ]
    for offset, (done, planned, blockers) in enumerate(week):
        at = utc(2026, 3, 9 + offset, 1, 30)
        run_tick(db, at)
        _answer(db, "UCS", at + timedelta(minutes=5), blockers, done=done, planned=planned)
    _ticket(db, "urgent", utc(2026, 3, 2, 0, 0), None)  # filed the week before, still open
    _ticket(db, "high", utc(2026, 3, 10, 0, 0), utc(2026, 3, 11, 0, 0))
    _ticket(db, "normal", utc(2026, 3, 12, 0, 0), None)
    friday = utc(2026, 3, 13, 8, 0)  # 16:00 in Shanghai
    [prompt] = [p for p in run_tick(db, friday).prompts if p.schedule.kind == PROGRESS]
    assert any(f.needs_queue for f in prompt.fields)
    with db.begin() as session:
        form = answer_form(
            session, TEAM, BASE, "UCS", friday, kind=PROGRESS, occurrence_id=prompt.occurrence_id
        )
    values = {f.id: f.initial for f in form.fields}
    assert values["done"] == "• answered the refund tickets\n• wrote the FAQ\n• closed #12"
    assert values["planned"] == "• follow up on #12" and values["blockers"] == ""
    assert form.prefill is not None and form.prefill.days_answered == 3
    assert [b.text for b in form.prefill.resolved_blockers] == ["waiting for code review"]
    queue = form.queue
    assert queue is not None
    assert (queue.filed, queue.resolved, queue.open) == (2, 1, 2)
    assert queue.oldest_open_days == 11 and dict(queue.open_by_severity) == {
        "urgent": 1,
        "normal": 1,
    }


def test_a_late_edit_is_refused_even_from_an_open_form(team: Database) -> None:
    prompt = run_tick(team, AT_MON).prompts[0]
    with team.begin() as session:
        answer_form(session, TEAM, BASE, prompt.user_id, utc(2026, 3, 9, 5, 29))
    with team.begin() as session, pytest.raises(Conflict):
        submit_answer(
            session,
            DEFAULTS,
            TEAM,
            BASE,
            prompt.user_id,
            prompt.occurrence_id,
            {"done": "x"},
            datetime(2026, 3, 9, 5, 30, tzinfo=UTC),
        )


def test_a_blocker_naming_a_role_is_routed_to_its_holders(team: Database) -> None:
    run_tick(team, AT_MON)
    saved = _answer(team, "UPAM", utc(2026, 3, 9, 2, 0), "技术负责人\n等设计稿")
    role, design = saved.blockers
    assert role.route is not None and (role.route.kind, role.route.key) == ("role", "tech-lead")
    assert role.route.people == ("UTINA", "UTOM")
    # An area whose role nobody holds: routed, with nobody to tell, and the blocked told so.
    assert design.route is not None and design.route.role == "ux-ui-designer"
    assert design.route.people == () and design.route.why == NO_HOLDER
    told = sorted((n.to_user, n.nobody) for n in saved.notices)
    assert told == [("UPAM", True), ("UTINA", False), ("UTOM", False)]
