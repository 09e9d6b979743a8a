"""The backup rule everywhere (domain.routing): every path that routes to a role — `/owner`,
escalation, feedback to the product managers, vacancy notices, blockers — tells the holders
who are here, else the backup (described as the backup, never as a holder), else nobody, and
then the person who acted learns why; in English and Chinese, over signed HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.routing import AWAY, NO_HOLDER, VACATED, Absent, Routing, route
from services.standup_blockers import Route, RoutedBlocker, from_json, to_json
from slack_emulator import payloads
from tests.harness import Harness, visible_text
from tests.issue_fixtures import SUPPORT, card, dms, give_role, submit, thread, ticket
from tests.services_fixtures import profile
from tests.test_standup_slack import MONDAY, NY, SH, Week, by_purpose, utc

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
DAY = date(2026, 3, 2)


def _agent(app: Harness, user_id: str, locale: str = "en-US") -> None:
    """A Customer Support rep Slack knows, in `locale`."""
    app.slack.add_user(user_id, user_id.lower(), locale=locale)
    give_role(app, user_id, "customer-support")


# --- the rule itself ---------------------------------------------------------------------------
def test_the_rule_holders_here_else_the_backup_else_nobody_and_why() -> None:
    away = {"UA": date(2026, 3, 6), "UC": date(2026, 3, 4)}
    assert route("r", ["UA", "UB"], "UK", away, set()) == Routing("r", ("UB",))
    assert route("r", ["UA"], "UK", away, set()) == Routing(
        "r", ("UK",), True, AWAY, date(2026, 3, 7)
    )
    assert route("r", [], "UK", {}, set()) == Routing("r", ("UK",), True, NO_HOLDER)
    assert route("r", ["UA"], "UK", {}, {"UA"}) == Routing("r", ("UK",), True, VACATED)
    # The backup away or deactivated too: nobody, and who is away until when (holders by
    # their return, then the backup), so the first back can be said.
    nobody = route("r", ["UA", "UC"], "UK", {**away, "UK": date(2026, 3, 9)}, set())
    absent = (Absent("UC", date(2026, 3, 4)), Absent("UA", date(2026, 3, 6)))
    kept = Absent("UK", date(2026, 3, 9), backup=True)
    assert nobody == Routing("r", (), False, AWAY, date(2026, 3, 5), (*absent, kept))
    assert nobody.first_back == absent[0] and nobody.backup_away == kept
    assert absent[0].back_on == date(2026, 3, 5)
    early = route("r", ["UA"], "UK", {**away, "UK": date(2026, 3, 3)}, set())
    assert early.first_back == Absent("UK", date(2026, 3, 3), backup=True)  # back first
    alone = route("r", [], "UK", {"UK": date(2026, 3, 3)}, set())
    assert alone.why == NO_HOLDER and alone.absent == (Absent("UK", date(2026, 3, 3), True),)
    assert route("r", ["UA"], None, away, set()).backup_away is None  # no backup at all
    assert route("r", ["UA"], "UK", {}, {"UA", "UK"}).why == VACATED
    assert route("r", [], None, {}, set()).nobody
    assert Routing("r", ("UA", "UB")).without("UA") == ("UB",)


# --- escalation --------------------------------------------------------------------------------
def test_escalation_with_every_tech_lead_away_goes_to_the_backup_named_as_such(
    desk: Harness,
) -> None:
    desk.clock.set(NOW)
    _agent(desk, "UDAN")
    _agent(desk, "UZHAO", "zh-CN")
    give_role(desk, "UBOB", "tech-lead")
    desk.command("/role", "backup tech-lead <@UCAROL>")
    desk.command("/role", "away <@UBOB> until 2026-03-06", user="UBOB")
    desk.command("/issue", "data loss on export", user="UALICE")
    desk.command("/issue", "导出丢数据", user="UALICE")

    ack = desk.command("/issue", "escalate 1 rows vanish", user="UDAN")
    assert "#1 is escalated to <@UCAROL> (backup, Tech Lead is away)." in ack.text
    assert dms(desk, "UBOB") == []  # the away lead is not told
    (told,) = dms(desk, "UCAROL")  # the backup is, in her language, as the backup
    assert "升级给了你：你是技术负责人的后备" in told and "rows vanish" in told
    lines = thread(desk, SUPPORT, card(desk, 1)["ts"])
    assert any("escalated it to <@UCAROL>, the Tech Lead's backup" in line for line in lines)
    shown = desk.command("/issue", "show 1", user="UDAN").text
    assert "the Tech Lead's backup" in shown and "escalated it to the tech lead" not in shown

    zh = desk.command("/issue", "escalate 2 很急", user="UZHAO")
    assert "#2 已升级给 <@UCAROL>（后备，技术负责人休假中）。" in zh.text
    assert len(dms(desk, "UCAROL")) == 2 and dms(desk, "UBOB") == []

    desk.clock.set(datetime(2026, 3, 7, 12, tzinfo=UTC))  # the lead is back: the lead is told
    desk.command("/issue", "export is slow", user="UALICE")
    assert "escalated to <@UBOB>." in desk.command("/issue", "escalate 3 slow", user="UDAN").text
    assert len(dms(desk, "UBOB")) == 1 and len(dms(desk, "UCAROL")) == 2


def test_escalation_nobody_can_take_tells_the_escalating_user(desk: Harness) -> None:
    desk.clock.set(NOW)
    _agent(desk, "UDAN")
    _agent(desk, "UZHAO", "zh-CN")
    desk.command("/issue", "data loss on export", user="UALICE")
    nobody = desk.command("/issue", "escalate 1 rows vanish", user="UDAN").text
    assert "Nobody holds the Tech Lead role" in nobody and "/role assign" in nobody
    assert "目前没有人担任技术负责人" in desk.command("/issue", "escalate 1 急", user="UZHAO").text

    give_role(desk, "UBOB", "tech-lead")  # a lead who is away, and a backup who is away too
    desk.command("/role", "away <@UBOB> until 2026-03-06", user="UBOB")
    desk.command("/role", "backup tech-lead <@UCAROL>")
    desk.command("/role", "away <@UCAROL> until 2026-03-20", user="UCAROL")
    away = desk.command("/issue", "escalate 1 rows vanish", user="UDAN").text
    assert (
        "Nobody can take an escalation now: every Tech Lead (<@UBOB>) is away, and so is the"
        " backup, <@UCAROL> (back on 2026-03-21). <@UBOB> is back first, on 2026-03-07." in away
    )
    assert "/role backup tech-lead" in away
    zh = desk.command("/issue", "escalate 1 急", user="UZHAO").text
    assert "技术负责人（<@UBOB>）都在休假，后备 <@UCAROL> 也在休假（2026-03-21 回来）" in zh
    assert "最早回来的是 <@UBOB>（2026-03-07）" in zh
    press = desk.action("issue_escalate", "1", user="UDAN", message=card(desk, 1), channel=SUPPORT)
    shown = visible_text(desk.responses(press.response_key)[-1])
    assert "Nobody can take an escalation now" in shown and "<@UBOB> is back first" in shown
    assert ticket(desk, 1).escalated_at is None
    assert dms(desk, "UBOB") == [] and dms(desk, "UCAROL") == []


# --- feedback to the product managers ----------------------------------------------------------
def test_feedback_with_no_product_manager_tells_the_reporter(desk: Harness) -> None:
    desk.clock.set(NOW)
    en = desk.command("/issue", "[feedback] loves the new editor", user="UALICE").text
    assert "Filed #1" in en and "No Product Manager was told of this feedback." in en
    assert "Nobody holds Product Manager and it has no backup who is here" in en
    zh = desk.command("/issue", "[反馈] 希望支持深色模式", user="UCAROL").text
    assert "这条反馈没有通知到任何产品经理。" in zh and "目前无人担任产品经理" in zh
    values = {"summary": "Wants CSV import", "severity": "low", "category": "feature-request"}
    modal = submit(desk, "issue_file", values, view_id="VFEED")
    assert "No Product Manager was told" in visible_text(modal.json["view"])
    plain = desk.command("/issue", "export crashes", user="UALICE").text  # a bug: no PM needed
    assert "Product Manager" not in plain

    give_role(desk, "UBOB", "product-manager")  # a PM who is away, with a backup
    desk.command("/role", "away <@UBOB> until 2026-03-06", user="UBOB")
    desk.command("/role", "backup pm <@UCAROL>")
    routed = desk.command("/issue", "[feedback] wants SSO", user="UALICE").text
    assert "No Product Manager" not in routed
    assert dms(desk, "UBOB") == []
    (told,) = dms(desk, "UCAROL")
    assert "wants SSO" in told and "你是产品经理的后备" in told
    desk.command("/role", "away <@UCAROL> until 2026-03-06", user="UCAROL")
    away = desk.command("/issue", "[feedback] wants SAML", user="UALICE").text
    assert (
        "Nobody for Product Manager is here: <@UBOB> (away until 2026-03-06), <@UCAROL>"
        " (backup, away until 2026-03-06). <@UBOB> is back first, on 2026-03-07." in away
    )


# --- vacancy notices ---------------------------------------------------------------------------
def test_a_vacancy_notice_goes_to_the_admin_roles_backup_and_names_the_stand_in(
    app: Harness,
) -> None:
    app.clock.set(NOW)
    give_role(app, "UALICE", "product-owner")  # the admin role's holder is away…
    app.command("/role", "away <@UALICE> until 2026-03-06", user="UALICE")
    app.command("/role", "backup product-owner <@UCAROL>")  # …so its backup is told
    give_role(app, "UDEL", "tech-lead")
    app.command("/role", "backup tech-lead <@UBOB>")
    user = app.slack.add_user("UDEL", "del", deleted=True)
    app.event(payloads.user_change(user=user))
    assert dms(app, "UALICE") == []
    (zh,) = dms(app, "UCAROL")
    assert (
        "<@UDEL> 担任技术负责人" in zh
        and "在此期间由 <@UBOB>（后备，技术负责人需要新的担任者） 负责。" in zh
    )
    (en,) = dms(app, "UADMIN")  # a workspace admin, told in English
    assert "Meanwhile <@UBOB> (backup, Tech Lead needs a new holder) is asked." in en
    answer = app.command("/owner", "code review", user="UALICE").text
    assert "Ask <@UBOB> (backup, Tech Lead needs a new holder)." in answer
    assert "needs a new holder (a holder's account was deactivated)" in answer


# --- how a backup is described ----------------------------------------------------------------
def test_a_backup_is_never_described_as_a_holder(app: Harness) -> None:
    app.clock.set(NOW)
    app.command("/role", "backup tech-lead <@UCAROL>")  # nobody holds it: the backup answers
    role = app.command("/owner", "tech lead", user="UALICE").text
    assert "Held by" not in role and "Ask <@UCAROL> (backup, nobody holds Tech Lead)." in role
    zh = app.command("/owner", "技术负责人", user="UCAROL").text
    assert "担任者：" not in zh and "请找 <@UCAROL>（后备，目前无人担任技术负责人）。" in zh

    give_role(app, "UBOB", "tech-lead")
    app.command("/role", "away <@UBOB> until 2026-03-06", user="UBOB")
    role = app.command("/owner", "tech lead", user="UALICE").text
    assert "Held by <@UCAROL>" not in role
    assert "Ask <@UCAROL> (backup, Tech Lead is away). Holder: <@UBOB> (away until" in role
    area = app.command("/owner", "code review", user="UALICE").text
    assert "Ask <@UCAROL> (backup, Tech Lead is away)." in area
    listed = app.command("/role", "list", user="UALICE").text
    line = next(x for x in listed.splitlines() if "`tech-lead`" in x)
    assert "<@UBOB> (away until 2026-03-06) · <@UCAROL> (backup, Tech Lead is away)" in line
    me = app.command("/role", "me", user="UCAROL").text
    assert "你目前在代理：技术负责人" in me
    home = _home(app, "UALICE")
    assert "<@UCAROL> (backup, Tech Lead is away)" in home

    app.command("/role", "back <@UBOB>", user="UBOB")  # back: the holder is held again
    role = app.command("/owner", "tech lead", user="UALICE").text
    assert "Held by <@UBOB>." in role and "(backup" not in role
    assert "· backup <@UCAROL>" in app.command("/role", "who tech lead", user="UALICE").text
    assert "代理" not in app.command("/role", "me", user="UCAROL").text


def _home(app: Harness, user_id: str) -> str:
    app.event(payloads.app_home_opened(user_id=user_id))
    return visible_text(app.slack.calls_to("views.publish")[-1].args["view"])


# --- blockers ----------------------------------------------------------------------------------
BACKUP = "UBAK"  # the product manager's backup, in Chinese
LATER = MONDAY + timedelta(days=30)  # profiles cached "later": fresh through the week


@pytest.fixture
def team(app: Harness) -> Iterator[Week]:
    """A standup for a tech lead (Shanghai) and a product manager (New York) who is away,
    whose backup stands in."""
    found = Week(app)
    found.at(MONDAY - timedelta(days=1))
    found.person(SH, "Asia/Shanghai", "zh-CN", "tech-lead")
    found.person(NY, "America/New_York", "en-US", "product-manager")
    found.slack.add_user(BACKUP, "bak", locale="zh-CN")
    with app.db.begin() as session:
        profile(session, BACKUP, tz="Asia/Shanghai", locale="zh-CN", fetched_at=LATER)
    found.command("/role", f"backup product-manager <@{BACKUP}>")
    found.command("/role", f"away <@{NY}> until 2026-03-20")
    found.command("/standup", "schedule all weekdays 09:30 <#C0GENERAL|general>")
    yield found
    found.sender.stop()


def test_a_blocker_for_an_away_role_goes_to_its_backup_named_as_such(team: Week) -> None:
    team.tick(utc(MONDAY, 1, 30))
    modal = team.press_answer(SH, team.dms(SH)[-1])
    team.submit(SH, modal, by_purpose(modal, "work", "more work", "需要产品经理确认需求"))
    digest = visible_text(team.channel()[-1])
    assert f"需要产品经理确认需求 → <@{BACKUP}> (backup, no holder is here)" in digest
    assert not [m for m in team.dms(NY) if "需要产品经理确认需求" in m["text"]]
    (notice,) = [m for m in team.dms(BACKUP) if "需要产品经理确认需求" in m["text"]]
    assert "你是该角色的后备" in notice["text"]


@pytest.fixture
def unrouted(app: Harness) -> Iterator[Week]:
    """A standup for a tech lead (Shanghai, Chinese) and a product manager (New York) who is
    away with no backup; nobody holds UX/UI Designer."""
    found = Week(app)
    found.at(MONDAY - timedelta(days=1))
    found.person(SH, "Asia/Shanghai", "zh-CN", "tech-lead")
    found.person(NY, "America/New_York", "en-US", "product-manager")
    found.command("/role", f"away <@{NY}> until 2026-03-20")
    found.command("/standup", "schedule all weekdays 09:30 <#C0GENERAL|general>")
    yield found
    found.sender.stop()


def _prompt(week: Week, user_id: str, day: str) -> dict[str, Any]:
    """The day's prompt DM (answered or not: its button opens the answer)."""
    return next(m for m in week.dms(user_id) if day in m["text"] and m.get("blocks"))


def _told_nobody(week: Week, user_id: str) -> list[str]:
    return [m["text"] for m in week.dms(user_id) if "没有通知到任何人" in m["text"]]


def test_a_blocker_nobody_can_be_told_about_says_so_and_tells_the_blocked_once(
    unrouted: Week,
) -> None:
    week = unrouted
    blockers = "需要产品经理确认需求\nwaiting on the designer"
    week.tick(utc(MONDAY, 1, 30))
    modal = week.press_answer(SH, week.dms(SH)[-1])
    week.submit(SH, modal, by_purpose(modal, "work", "more work", blockers))
    digest = week.channel()[-1]
    away = (
        "需要产品经理确认需求 → Nobody for Product Manager is here: <@UNY> (away until"
        " 2026-03-20), back on 2026-03-21."
    )
    vacant = "waiting on the designer → Nobody holds UX/UI Designer yet."
    for shown in (visible_text(digest), visible_text(week.thread(digest["ts"])[-1])):
        assert away in shown and vacant in shown
        assert "/role" not in shown  # how an admin fixes it goes to the person blocked
    assert not [m for m in week.dms(NY) if "需要产品经理确认需求" in m["text"]]
    told = _told_nobody(week, SH)
    assert (
        "你的阻碍（2026-03-09）没有通知到任何人：需要产品经理确认需求\n"
        "产品经理的担任者都在休假（最早 2026-03-21 回来），也没有在岗的后备。"
        "管理员可以指定后备：`/role backup product-manager @成员`"
    ) in told
    assert (
        "你的阻碍（2026-03-09）没有通知到任何人：waiting on the designer\n"
        "目前无人担任UX/UI设计师，也没有在岗的后备。"
        "管理员可以这样指派：`/role assign @成员 ux-ui-designer`"
    ) in told

    edit = week.press_answer(SH, _prompt(week, SH, "2026-03-09"))  # "Edit": no second DM
    week.submit(SH, edit, by_purpose(edit, "work!", "more work", blockers))
    week.tick(utc(MONDAY + timedelta(days=1), 1, 30))  # carried over: no second DM either
    modal = week.press_answer(SH, _prompt(week, SH, "2026-03-10"))
    week.submit(SH, modal, by_purpose(modal, "work", "more work", blockers))
    assert "(carried over, 1 d)" in visible_text(week.channel()[-1])
    assert len(_told_nobody(week, SH)) == 2

    week.command("/role", f"back <@{NY}>")  # here again: the carried blocker now reaches them
    week.at(utc(MONDAY + timedelta(days=1), 1, 40))
    modal = week.press_answer(SH, _prompt(week, SH, "2026-03-10"))
    week.submit(SH, modal, by_purpose(modal, "work", "more", blockers))
    assert f"需要产品经理确认需求 → <@{NY}> (carried over, 1 d)" in visible_text(week.channel()[-1])
    assert len([m for m in week.dms(NY) if "需要产品经理确认需求" in m["text"]]) == 1


def test_in_a_chinese_workspace_the_digest_says_nobody_and_the_dm_is_in_english(
    unrouted: Week,
) -> None:
    week = unrouted
    week.command("/rolecall", "config language zh")
    week.person("UDES", "Asia/Shanghai", "zh-CN", "ux-ui-designer")  # then deactivated
    with week.app.db.begin() as session:
        profile(session, "UDES", tz="Asia/Shanghai", locale="zh-CN", deleted=True, fetched_at=LATER)
    week.command("/role", f"back <@{NY}>")
    week.command("/role", f"away <@{SH}> until 2026-03-12")
    week.tick(utc(MONDAY, 13, 30))
    modal = week.press_answer(NY, week.dms(NY)[-1])
    blockers = "waiting on the designer\nneeds tech lead review"
    week.submit(NY, modal, by_purpose(modal, "work", "more work", blockers))
    digest = week.channel()[-1]
    for shown in (visible_text(digest), visible_text(week.thread(digest["ts"])[-1])):
        assert "waiting on the designer → 目前无人担任UX/UI设计师。" in shown
        assert (
            "needs tech lead review → 技术负责人目前无人在岗：<@USH>（休假至 2026-03-12）。"
            "最早回来的是 <@USH>（2026-03-13）。"
        ) in shown
    told = [m["text"] for m in week.dms(NY) if "Nobody could be told" in m["text"]]
    assert (
        "Nobody could be told about your blocker (2026-03-09): waiting on the designer\n"
        "The UX/UI Designer holder's Slack account was deactivated and UX/UI Designer has no"
        " backup who is here. An admin can assign it: `/role assign @someone ux-ui-designer`"
    ) in told
    assert (
        "Nobody could be told about your blocker (2026-03-09): needs tech lead review\n"
        "Every Tech Lead holder is away (the first is back on 2026-03-13) and Tech Lead has no"
        " backup who is here. An admin can name one: `/role backup tech-lead @someone`"
    ) in told
    assert len(told) == 2 and not [m for m in week.dms("UDES") if "designer" in m["text"]]


def test_a_route_stored_before_nobody_was_recorded_still_loads() -> None:
    old = {
        "text": "waiting on the designer",
        "since": "2026-03-09",
        "id": "x",
        "route": {
            "kind": "role",
            "key": "tech-lead",
            "role": "tech-lead",
            "people": [],
            "backup": False,
        },
    }
    (blocker,) = from_json([old])
    assert blocker.route == Route("role", "tech-lead", "tech-lead", ())
    assert not blocker.route.nobody
    nobody = Route(
        "role",
        "tech-lead",
        "tech-lead",
        (),
        False,
        AWAY,
        date(2026, 3, 13),
        (Absent("USH", date(2026, 3, 12)), Absent("UBAK", date(2026, 3, 20), True)),
    )
    again = from_json(to_json([RoutedBlocker("x", "t", date(2026, 3, 9), nobody)]))
    assert again[0].route == nobody and again[0].route.nobody


# --- the card names whom an escalation went to -------------------------------------------------
def _card_context(app: Harness, number: int) -> str:
    (context,) = [b for b in card(app, number)["blocks"] if b["type"] == "context"]
    return " ".join(str(e["text"]) for e in context["elements"])


def test_the_card_says_whom_the_escalation_went_to(desk: Harness) -> None:
    desk.clock.set(NOW)
    _agent(desk, "UDAN")
    give_role(desk, "UTESS", "tech-lead")
    desk.command("/role", "backup tech-lead <@UCAROL>")
    desk.command("/issue", "data loss on export", user="UALICE")
    desk.command("/issue", "export is slow", user="UALICE")
    desk.command("/issue", "escalate 1 rows vanish", user="UDAN")
    assert "escalated by <@UDAN> to <@UTESS> (Tech Lead)" in _card_context(desk, 1)

    desk.command("/role", "away <@UTESS> until 2026-03-06", user="UTESS")
    desk.command("/issue", "escalate 2 slow", user="UDAN")
    shown = _card_context(desk, 2)
    assert "escalated by <@UDAN> to <@UCAROL> (backup: no Tech Lead is here)" in shown
    assert "to <@UTESS>" not in shown and "(Tech Lead)" not in shown
    assert "to <@UTESS> (Tech Lead)" in _card_context(desk, 1)  # the first one's stays
    assert (
        "escalated by <@UDAN> to <@UCAROL> (backup"
        in desk.command("/issue", "show 2", user="UDAN").text
    )

    desk.command("/rolecall", "config language zh")  # the channel's language: the card's
    desk.command("/issue", "take 2", user="UDAN")  # a change re-renders the card
    assert "已由 <@UDAN> 升级给 <@UCAROL>（后备：目前没有技术负责人在岗）" in _card_context(desk, 2)
    desk.command("/issue", "take 1", user="UDAN")
    assert "已由 <@UDAN> 升级给 <@UTESS>（技术负责人）" in _card_context(desk, 1)


# --- contributing roles follow the rule --------------------------------------------------------
def test_contributing_roles_name_the_backup_standing_in_and_who_is_away(app: Harness) -> None:
    app.clock.set(NOW)
    give_role(app, "UALICE", "product-manager")  # Roadmap: PM, with Tech Lead contributing
    give_role(app, "UBOB", "tech-lead")
    app.command("/role", "backup tech-lead <@UCAROL>")
    here = app.command("/owner", "roadmap", user="UALICE").text
    assert "Contributing: Tech Lead (<@UBOB>)" in here and "UCAROL" not in here

    app.command("/role", "away <@UBOB> until 2026-03-06", user="UBOB")
    away = app.command("/owner", "roadmap", user="UALICE").text
    assert (
        "Contributing: Tech Lead (<@UCAROL> (backup, Tech Lead is away),"
        " <@UBOB> (away until 2026-03-06))" in away
    )
    zh = app.command("/owner", "路线图", user="UCAROL").text
    assert (
        "协作角色：技术负责人 (<@UCAROL>（后备，技术负责人休假中）、<@UBOB>（休假至 2026-03-06）)"
        in zh
    )

    app.command("/role", "away <@UCAROL> until 2026-03-20", user="UCAROL")
    gone = app.command("/owner", "roadmap", user="UALICE").text
    assert (
        "Tech Lead (<@UBOB> (away until 2026-03-06), <@UCAROL> (backup, away until 2026-03-20))"
        in gone
    )
    assert "<@UALICE>" in gone.split("Contributing")[0]  # the owner is untouched


# --- nobody is here, the backup neither: who is back first --------------------------------------
def test_owner_says_nobody_is_here_and_who_is_back_first(app: Harness) -> None:
    app.clock.set(NOW)
    app.slack.add_user("UDAVE", "dave")
    give_role(app, "UBOB", "tech-lead")
    give_role(app, "UDAVE", "tech-lead")
    app.command("/role", "backup tech-lead <@UCAROL>")
    app.command("/role", "away <@UBOB> until 2026-03-10", user="UBOB")
    app.command("/role", "away <@UDAVE> until 2026-03-06", user="UDAVE")
    app.command("/role", "away <@UCAROL> until 2026-03-20", user="UCAROL")
    said = (
        "Nobody for Tech Lead is here: <@UDAVE> (away until 2026-03-06), <@UBOB> (away until"
        " 2026-03-10), <@UCAROL> (backup, away until 2026-03-20). <@UDAVE> is back first, on"
        " 2026-03-07."
    )
    assert said in app.command("/owner", "code review", user="UALICE").text
    assert said in app.command("/owner", "tech lead", user="UALICE").text
    assert "Held by" not in app.command("/owner", "tech lead", user="UALICE").text
    zh = app.command("/owner", "代码评审", user="UCAROL").text
    assert "技术负责人目前无人在岗：<@UDAVE>（休假至 2026-03-06）" in zh
    assert "<@UCAROL>（后备，休假至 2026-03-20）。最早回来的是 <@UDAVE>（2026-03-07）。" in zh

    app.command("/role", "away <@UCAROL> until 2026-03-03", user="UCAROL")  # back sooner
    early = app.command("/owner", "code review", user="UALICE").text
    assert "<@UCAROL> is back first, on 2026-03-04." in early

    app.command("/role", "unassign <@UBOB> tech-lead")  # nobody holds it; the backup is away
    app.command("/role", "unassign <@UDAVE> tech-lead")
    alone = app.command("/owner", "code review", user="UALICE").text
    assert (
        "Nobody for Tech Lead is here: <@UCAROL> (backup, away until 2026-03-03), back on"
        " 2026-03-04. An admin can assign it: `/role assign @someone tech-lead`" in alone
    )


def test_every_path_agrees_when_the_backup_is_away_too(desk: Harness) -> None:
    desk.clock.set(NOW)
    _agent(desk, "UDAN")
    _agent(desk, "UZHAO", "zh-CN")
    give_role(desk, "UBOB", "tech-lead")
    desk.command("/role", "backup tech-lead <@UCAROL>")
    desk.command("/role", "away <@UCAROL> until 2026-03-04", user="UCAROL")  # back first
    desk.command("/role", "away <@UBOB> until 2026-03-10", user="UBOB")
    desk.command("/issue", "data loss on export", user="UALICE")
    refused = desk.command("/issue", "escalate 1 rows vanish", user="UDAN").text
    assert "and so is the backup, <@UCAROL> (back on 2026-03-05)" in refused
    assert "<@UCAROL> is back first, on 2026-03-05" in refused
    answer = desk.command("/owner", "code review", user="UDAN").text
    assert "<@UCAROL> is back first, on 2026-03-05" in answer
    zh = desk.command("/issue", "escalate 1 急", user="UZHAO").text
    assert "最早回来的是 <@UCAROL>（2026-03-05）" in zh

    desk.command("/role", "unassign <@UBOB> tech-lead")  # nobody holds it, the backup away
    alone = desk.command("/issue", "escalate 1 rows vanish", user="UDAN").text
    assert "no Tech Lead is here, and the backup, <@UCAROL>, is away (back on 2026-03-05)" in alone
    assert (
        "没有技术负责人在岗，后备 <@UCAROL> 也在休假（2026-03-05 回来）"
        in desk.command("/issue", "escalate 1 急", user="UZHAO").text
    )
    assert ticket(desk, 1).escalated_at is None and dms(desk, "UCAROL") == []

    give_role(desk, "UPAM", "product-manager")  # feedback: the same facts, the reporter told
    desk.command("/role", "backup pm <@UCAROL>")
    desk.command("/role", "away <@UPAM> until 2026-03-10", user="UPAM")
    zh_fb = desk.command("/issue", "[反馈] 希望支持深色模式", user="UZHAO").text
    assert "这条反馈没有通知到任何产品经理。" in zh_fb
    assert (
        "产品经理目前无人在岗：<@UPAM>（休假至 2026-03-10）、<@UCAROL>（后备，休假至 2026-03-04）"
        in zh_fb
    )
    assert "最早回来的是 <@UCAROL>（2026-03-05）" in zh_fb
    assert "`/role backup product-manager @成员`" in zh_fb


@pytest.fixture
def named(app: Harness) -> Iterator[Week]:
    """A standup for a tech lead (Shanghai) and a product manager (New York)."""
    found = Week(app)
    found.at(MONDAY - timedelta(days=1))
    found.person(SH, "Asia/Shanghai", "zh-CN", "tech-lead")
    found.person(NY, "America/New_York", "en-US", "product-manager")
    found.command("/standup", "schedule all weekdays 09:30 <#C0GENERAL|general>")
    yield found
    found.sender.stop()


def test_a_blocker_for_an_area_whose_named_owner_is_away_goes_to_the_role(named: Week) -> None:
    week, owner = named, "UOWN"
    week.slack.add_user(owner, "own", locale="en-US")
    week.command("/owner", f"set code-review <@{owner}>")
    week.command("/role", f"away <@{owner}> until 2026-03-20")
    week.tick(utc(MONDAY, 13, 30))
    modal = week.press_answer(NY, week.dms(NY)[-1])
    blockers = "blocked on code review\n等代码评审"
    week.submit(NY, modal, by_purpose(modal, "work", "more work", blockers))
    digest = visible_text(week.channel()[-1])
    assert f"blocked on code review → <@{SH}>" in digest
    assert f"等代码评审 → <@{SH}>" in digest
    assert len([m for m in week.dms(SH) if "blocked on code review" in m["text"]]) == 1
    assert len([m for m in week.dms(SH) if "等代码评审" in m["text"]]) == 1
    assert not [m for m in week.dms(owner) if "code review" in m["text"]]
    week.command("/role", f"back <@{owner}>")  # here again: the named owner is told
    week.at(utc(MONDAY, 13, 40))
    modal = week.press_answer(NY, _prompt(week, NY, "2026-03-09"))
    week.submit(NY, modal, by_purpose(modal, "work", "more work", blockers))
    assert f"blocked on code review → <@{owner}>" in visible_text(week.channel()[-1])


def test_in_a_chinese_workspace_people_of_unknown_language_are_written_to_in_chinese(
    app: Harness,
) -> None:
    week = Week(app)
    week.at(MONDAY - timedelta(days=1))
    week.command("/rolecall", "config language zh")
    week.person(SH, "Asia/Shanghai", "zh-CN", "tech-lead")
    for user, role in ((NY, "product-manager"), ("UDES", "ux-ui-designer")):
        week.person(user, "America/New_York", "", role)  # Slack told no language
    week.command("/role", f"away <@{SH}> until 2026-03-20")
    week.command("/standup", "schedule all weekdays 09:30 <#C0GENERAL|general>")
    week.tick(utc(MONDAY, 13, 30))
    modal = week.press_answer(NY, week.dms(NY)[-1])
    blockers = "waiting on the designer\nneeds tech lead review"
    week.submit(NY, modal, by_purpose(modal, "work", "more work", blockers))
    (notice,) = [m["text"] for m in week.dms("UDES") if "waiting on the designer" in m["text"]]
    assert "<@UNY> 的工作因你而受阻（2026-03-09）：waiting on the designer" in notice
    told = [m["text"] for m in week.dms(NY)]
    assert any("你的阻碍（2026-03-09）没有通知到任何人：needs tech lead review" in m for m in told)
    assert any("已回答 ✓" in m for m in told) and not any("Answered" in m for m in told)
    week.sender.stop()


def test_escalation_nobody_can_take_lists_the_away_leads_the_readers_way(desk: Harness) -> None:
    desk.clock.set(NOW)
    _agent(desk, "UDAN")
    _agent(desk, "UZHAO", "zh-CN")
    desk.command("/issue", "data loss on export", user="UALICE")
    for lead in ("UBOB", "UDAVE"):
        give_role(desk, lead, "tech-lead")
        desk.command("/role", f"away <@{lead}> until 2026-03-06", user=lead)
    desk.command("/role", "backup tech-lead <@UCAROL>")
    desk.command("/role", "away <@UCAROL> until 2026-03-20", user="UCAROL")
    en = desk.command("/issue", "escalate 1 rows vanish", user="UDAN").text
    assert "every Tech Lead (<@UBOB>, <@UDAVE>) is away" in en
    zh = desk.command("/issue", "escalate 1 急", user="UZHAO").text
    assert "技术负责人（<@UBOB>、<@UDAVE>）都在休假，后备 <@UCAROL> 也在休假" in zh
