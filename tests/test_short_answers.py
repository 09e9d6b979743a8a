"""Short answers: say what is missing, refuse people Slack does not know, typos everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage.models import RoleAssignment
from tests.harness import Harness


def _zh(app: Harness, command: str) -> None:
    app.command(command, "help", user="UCAROL")  # first contact: her profile is learnt


def test_role_assign_says_which_half_is_missing(app: Harness) -> None:
    assert "Which role?" in app.command("/role", "assign <@UBOB>").text
    assert "Who?" in app.command("/role", "assign pm").text


def test_role_assign_refuses_someone_slack_does_not_know(app: Harness) -> None:
    reply = app.command("/role", "assign U0NOPE pm")
    assert "no user `U0NOPE`" in reply.text
    with app.db.begin() as session:
        assert session.scalars(select(RoleAssignment)).all() == []
    app.command("/role", "assign <@UBOB> pm")
    with app.db.begin() as session:
        assert [r.user_id for r in session.scalars(select(RoleAssignment))] == ["UBOB"]


def test_role_typos_and_unknown(app: Harness) -> None:
    assert "Did you mean `/role list`" in app.command("/role", "lsit").text
    assert "no subcommand `frobnicate`" in app.command("/role", "frobnicate").text


def test_role_me_shows_when_you_are_away(app: Harness) -> None:
    app.clock.set(datetime(2026, 3, 2, 12, tzinfo=UTC))
    app.command("/role", "assign <@UALICE> pm")
    app.command("/role", "away <@UALICE> until 2026-03-10", user="UALICE")
    assert "You are away until 2026-03-10" in app.command("/role", "me", user="UALICE").text
    _zh(app, "/role")
    app.command("/role", "away <@UCAROL> until 2026-03-09", user="UCAROL")
    assert "你休假至 2026-03-09" in app.command("/role", "me", user="UCAROL").text


def test_rolecall_unknown_subcommand_is_an_error(app: Harness) -> None:
    reply = app.command("/rolecall", "frobnicate", user="UADMIN")
    assert "is not a command" in reply.text and "Usage" in reply.text
    assert "Did you mean `/rolecall config`" in app.command("/rolecall", "cofnig").text
    meant = app.command("/rolecall", "language").text  # a setting's name alone: config it
    assert "Did you mean `/rolecall config language`" in meant
    _zh(app, "/rolecall")
    assert "不是命令" in app.command("/rolecall", "frobnicate", user="UCAROL").text


def test_rolecall_config_says_what_is_missing(app: Harness) -> None:
    assert "Which channel?" in app.command("/rolecall", "config support_channel").text


def test_first_response_accepts_the_units_the_bot_prints(app: Harness) -> None:
    reply = app.command("/rolecall", "config first_response urgent=90m,high=4h,normal=1d,low=3d")
    assert "first_response" in reply.text
    shown = app.command("/rolecall", "config").text
    assert "urgent 90m" in shown and "normal 24h" in shown and "low 72h" in shown
    app.command("/rolecall", "config first_response urgent=1小时,high=4小时,normal=1天,low=3天")
    assert "urgent 1h" in app.command("/rolecall", "config").text


def test_owner_list_says_who_to_ask_once_per_role(app: Harness) -> None:
    app.command("/role", "assign <@UBOB> tech-lead")
    text = app.command("/owner", "list").text
    assert text.count("Nobody holds Product Manager yet") == 1
    assert text.count("Ask <@UBOB> (Tech Lead)") == 1
    _zh(app, "/owner")
    zh = app.command("/owner", "list", user="UCAROL").text
    assert zh.count("目前无人担任产品经理") == 1


# --- the same points in Chinese ---------------------------------------------------------------
def _zh_admin(app: Harness, command: str) -> None:
    app.command("/role", "assign <@UCAROL> product-owner")  # Product Owners are admins
    _zh(app, command)


def test_role_assign_says_which_half_is_missing_in_chinese(app: Harness) -> None:
    _zh_admin(app, "/role")
    assert "哪个角色？" in app.command("/role", "assign <@UBOB>", user="UCAROL").text
    assert "给谁？" in app.command("/role", "assign pm", user="UCAROL").text


def test_role_assign_refuses_someone_slack_does_not_know_in_chinese(app: Harness) -> None:
    _zh_admin(app, "/role")
    reply = app.command("/role", "assign U0NOPE pm", user="UCAROL")
    assert "此工作区中没有用户 `U0NOPE`" in reply.text
    with app.db.begin() as session:
        assert [r.user_id for r in session.scalars(select(RoleAssignment))] == ["UCAROL"]


def test_rolecall_config_says_what_is_missing_in_chinese(app: Harness) -> None:
    _zh_admin(app, "/rolecall")
    reply = app.command("/rolecall", "config support_channel", user="UCAROL")
    assert "哪个频道？" in reply.text


def test_issue_errors_show_the_usage_meant_and_point_at_help_in_chinese(app: Harness) -> None:
    _zh(app, "/issue")
    app.command("/issue", "打印机着火", user="UCAROL")
    status = app.command("/issue", "status 1", user="UCAROL").text
    assert "设置为哪个状态？" in status and "分析中" in status
    take = app.command("/issue", "take abc", user="UCAROL").text
    assert "`/issue take &lt;编号&gt;`" in take and "全部命令：`/issue help`" in take
    for text in (status, take):
        assert "`/issue causes" not in text and "`/issue search" not in text


def test_owner_list_names_who_to_ask_once_without_doubled_parentheses(app: Harness) -> None:
    app.command("/role", "assign <@UBOB> tech-lead")
    english = app.command("/owner", "list").text
    _zh(app, "/owner")
    chinese = app.command("/owner", "list", user="UCAROL").text
    assert chinese.count("请找 <@UBOB>（技术负责人）") == 1
    for text in (english, chinese):
        assert "((" not in text and "))" not in text and "（（" not in text and "））" not in text
