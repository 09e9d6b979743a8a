"""One language per place: what Rolecall posts in channels speaks the workspace's language
(`/rolecall config language`), whatever a ticket's summary is written in; DMs and replies
speak the reader's (their Slack locale)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.scheduler import run_due
from bot.settings import Settings
from i18n import messages
from storage.db import Database
from tests.fake_slack import FakeSlack
from tests.harness import Harness, visible_text
from tests.issue_fixtures import SUPPORT, card, dms, give_role, react, thread
from tests.test_standup_slack import CHANNEL, MONDAY, NY, SH, Week, by_purpose, utc

FILED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def chinese(desk: Harness) -> None:
    reply = desk.command("/rolecall", "config language 中文")
    assert "中文" in reply.text or "Chinese" in reply.text, reply.text


def test_setting_the_language_its_forms_listing_and_hints(app: Harness) -> None:
    assert "English (`en`)" in app.command("/rolecall", "config").text  # the default
    need = app.command("/rolecall", "config language").text
    assert "`/rolecall config language en`" in need and "`zh`" in need
    bad = app.command("/rolecall", "config language fr").text
    assert "`language`" in bad and "en" in bad and "zh" in bad
    for form, shown in (("中文", "Chinese (`zh`)"), ("English", "English (`en`)")):
        saved = app.command("/rolecall", f"config language {form}").text
        assert f"Saved: `language` = {shown}" in saved
    app.command("/rolecall", "config language zh")
    # A Chinese admin reads the listing in Chinese: the value, and durations in Chinese units.
    app.command("/role", "assign <@UCAROL> product-owner")
    listing = app.command("/rolecall", "config", user="UCAROL").text
    assert "`language` = 中文（`zh`）" in listing
    assert "紧急 1小时" in listing and "普通 24小时" in listing
    assert "urgent 1h" in app.command("/rolecall", "config").text  # and English in English
    assert "back to its default (English" in app.command("/rolecall", "config language reset").text


def test_a_chinese_workspace_gets_chinese_cards_for_english_summaries(desk: Harness) -> None:
    chinese(desk)
    desk.clock.set(FILED)
    desk.command("/issue", "export crashes", user="UALICE")
    shown = visible_text(card(desk, 1))
    assert "#1 export crashes" in shown and "新建" in shown and "0分钟" in shown
    assert "Status" not in shown
    # Three hours on, a change updates the card: its age is current, its thread Chinese.
    give_role(desk, "UBOB", "customer-support")
    desk.clock.set(FILED + timedelta(hours=3))
    desk.command("/issue", "take 1", user="UBOB")
    shown = visible_text(card(desk, 1))
    assert "3小时" in shown and "0分钟" not in shown
    desk.command("/issue", "status 1 analyzing", user="UBOB")
    taken, analyzing = thread(desk, SUPPORT, card(desk, 1)["ts"])
    assert "分配给" in taken and "开始分析" in analyzing
    # The reporter's DM is in her own language (English), not the channel's.
    [told] = dms(desk, "UALICE")
    assert "Your ticket" in told and "analyzing" in told


def test_an_english_workspace_gets_english_cards_for_chinese_summaries(desk: Harness) -> None:
    desk.clock.set(FILED)
    desk.command("/issue", "导出崩溃", user="UCAROL")
    give_role(desk, "UBOB", "customer-support")
    desk.clock.set(FILED + timedelta(days=3))
    desk.command("/issue", "take 1", user="UBOB")
    desk.command("/issue", "status 1 analyzing", user="UBOB")
    shown = visible_text(card(desk, 1))
    assert "#1 导出崩溃" in shown and "*Status*" in shown and "3d" in shown
    assert "新建" not in shown and "已过时间" not in shown
    taken, analyzing = thread(desk, SUPPORT, card(desk, 1)["ts"])
    assert "assigned it to" in taken and "started the analysis" in analyzing
    [told] = dms(desk, "UCAROL")  # the Chinese reporter is told in Chinese
    assert "你登记的工单" in told


def test_a_message_filed_by_reaction_is_answered_in_the_workspace_language(
    desk: Harness,
) -> None:
    chinese(desk)
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "Export hangs on big files")
    react(desk, "C0GENERAL", ts, "UBOB")
    give_role(desk, "UBOB", "customer-support")
    desk.command("/issue", "resolve 1 root cause: a lock; solution: drop it", user="UBOB")
    filed, resolved = thread(desk, "C0GENERAL", ts)
    assert "已将此登记为工单 #1" in filed and "Filed as" not in filed
    assert "a lock" in resolved and "#1" in resolved and "resolved" not in resolved.lower()


def test_the_first_response_flag_follows_the_workspace(desk: Harness) -> None:
    chinese(desk)
    desk.clock.set(FILED)
    desk.command("/issue", "[urgent] login is down", user="UALICE")
    run_due(desk.d, desk.bolt.client, FILED + timedelta(hours=2))
    desk.settle()
    [flag] = [visible_text(m) for m in desk.slack.messages(SUPPORT) if ":warning:" in m["text"]]
    assert "已等待 2小时" in flag and "紧急" in flag and "1小时" in flag
    assert "first-response" not in flag


def test_role_history_names_roles_in_the_readers_language(app: Harness) -> None:
    app.command("/role", "assign <@UBOB> marketing")
    app.command("/role", "backup pm <@UALICE>")
    app.command("/role", "help", user="UCAROL")  # first contact: her profile is fetched
    zh = app.command("/role", "history", user="UCAROL").text
    assert "将 <@UBOB> 指派为市场营销人员" in zh and "产品经理的后备" in zh
    assert "`marketing`" not in zh and "product-manager" not in zh
    en = app.command("/role", "history").text
    assert "assigned <@UBOB> to Marketing" in en and "backup for Product Manager" in en


def test_no_setting_names_are_shown_to_users(app: Harness) -> None:
    for key, texts in messages().items():
        for lang, text in texts.items():
            assert "ROLECALL_" not in text and "SLACK_" not in text, (key, lang)
    refused = app.command("/rolecall", "config", user="UBOB").text
    assert "Only admins" in refused and "ROLECALL_" not in refused


@pytest.fixture
def zh_week(app: Harness) -> Iterator[Week]:
    """The standup week of test_standup_slack, in a workspace that speaks Chinese."""
    found = Week(app)
    found.at(MONDAY - timedelta(days=1))
    found.command("/rolecall", "config language zh")
    found.person(SH, "Asia/Shanghai", "zh-CN", "tech-lead")
    found.person(NY, "America/New_York", "en-US", "product-manager")
    found.command("/standup", f"schedule all weekdays 09:30 <#{CHANNEL}|general>")
    yield found
    found.sender.stop()


def test_digests_follow_the_workspace_and_prompts_the_reader(zh_week: Week) -> None:
    zh_week.tick(utc(MONDAY, 13, 30))  # 09:30 in New York: the English PM's prompt
    [prompt] = zh_week.dms(NY)
    assert "Standup" in prompt["text"]
    [digest] = zh_week.channel()
    assert "站会" in digest["text"] and "Standup" not in digest["text"]
    modal = zh_week.press_answer(NY, prompt)
    zh_week.submit(NY, modal, by_purpose(modal, "wrote the spec", "review it", "none"))
    [digest] = zh_week.channel()
    assert "人已回答" in digest["text"]
    [reply] = zh_week.thread(digest["ts"])
    assert "wrote the spec" in visible_text(reply) and "已完成" in visible_text(reply)
    assert "Done" not in visible_text(reply)


def test_a_deploy_wide_default_language(db: Database, slack: FakeSlack, settings: Settings) -> None:
    zh = settings.model_copy(update={"language": "zh", "support_channel": SUPPORT})
    harness = Harness(zh, db, slack).start()
    try:
        harness.command("/issue", "export crashes", user="UALICE")
        assert "新建" in visible_text(card(harness, 1))
        listing = harness.command("/rolecall", "config").text
        assert "`language` = English" not in listing and "Chinese (`zh`)" in listing
    finally:
        harness.stop()
