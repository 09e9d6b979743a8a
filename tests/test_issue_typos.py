"""`/issue` never files a typo; a summary may start with a command word; Chinese forms work."""

from __future__ import annotations

import pytest

from domain.commands import distance, resolve
from tests.harness import Harness, visible_text
from tests.issue_fixtures import cards, give_role, submit, ticket, tickets

TYPOS = [
    ("lsit", "/issue list"),
    ("tkae 1", "/issue take 1"),
    ("show1", "/issue show 1"),
    ("resolv 1 root cause: bad index; solution: rebuilt", "/issue resolve 1"),
    ("clsoe 1", "/issue close 1"),
    ("serach export", "/issue search"),
    ("mine", "/issue list mine"),  # a list filter alone lists, it is not a summary
    ("urgent", "/issue list urgent"),
]


@pytest.mark.parametrize(("text", "meant"), TYPOS)
def test_a_typo_of_a_subcommand_files_nothing(desk: Harness, text: str, meant: str) -> None:
    reply = desk.command("/issue", text, user="UALICE")
    assert f"Did you mean `{meant}" in reply.text
    assert "/issue help" in reply.text and "`/issue causes" not in reply.text
    assert tickets(desk) == [] and cards(desk) == []


def test_a_typo_in_chinese(desk: Harness) -> None:
    desk.command("/issue", "help", user="UCAROL")  # first contact: her profile is learnt
    reply = desk.command("/issue", "lsit", user="UCAROL")
    assert "你是不是想输入 `/issue list`" in reply.text and tickets(desk) == []


def test_a_chinese_list_filter_alone_lists(desk: Harness) -> None:
    desk.command("/issue", "help", user="UCAROL")
    reply = desk.command("/issue", "我的", user="UCAROL")
    assert "你是不是想输入 `/issue list 我的`" in reply.text and tickets(desk) == []
    assert "已登记 #1" in desk.command("/issue", "-- 我的", user="UCAROL").text  # the escape


def test_a_question_mark_is_help(desk: Harness) -> None:
    assert "The support queue" in desk.command("/issue", "?", user="UALICE").text
    assert tickets(desk) == []


def test_sentences_that_look_like_a_subcommand_are_still_filed(desk: Harness) -> None:
    desk.command("/issue", "slow export since monday", user="UALICE")
    desk.command("/issue", "lost data on save", user="UALICE")
    assert [t.summary for t in tickets(desk)] == ["slow export since monday", "lost data on save"]


def test_a_summary_starting_with_a_subcommand_word_is_filed_after_dashes(desk: Harness) -> None:
    refused = desk.command("/issue", "close button missing on the modal", user="UALICE")
    assert (
        "`/issue close &lt;n&gt;`" in refused.text
        and "`/issue -- close" in refused.text
        and "`/issue -- " in desk.command("/issue", "help", user="UALICE").text
    )
    reply = desk.command("/issue", "-- close button missing on the modal", user="UALICE")
    assert "Filed #1" in reply.text
    assert ticket(desk, 1).summary == "close button missing on the modal"


def test_chinese_severity_category_and_filters(desk: Harness) -> None:
    desk.command("/issue", "help", user="UCAROL")
    assert "已登记 #1" in desk.command("/issue", "[紧急] [反馈] 导出崩溃", user="UCAROL").text
    filed = ticket(desk, 1)
    assert (filed.severity, filed.category) == ("urgent", "feedback")
    desk.command("/issue", "[低] 小问题", user="UCAROL")
    assert "#1" in desk.command("/issue", "list 紧急", user="UCAROL").text
    everything = desk.command("/issue", "list 全部", user="UCAROL").text
    assert "#1" in everything and "#2" in everything
    assert "#2" in desk.command("/issue", "list 未解决", user="UCAROL").text
    give_role(desk, "UCAROL", "customer-support")
    desk.command("/issue", "status 2 分析中", user="UCAROL")
    assert ticket(desk, 2).status == "analyzing"


def test_customer_without_a_semicolon_is_asked_about(desk: Harness) -> None:
    reply = desk.command("/issue", "customer: ACME", user="UALICE")
    assert "End it with `;`" in reply.text and tickets(desk) == []
    desk.command("/issue", "help", user="UCAROL")
    assert "请用 `；` 分隔" in desk.command("/issue", "客户：ACME", user="UCAROL").text
    assert tickets(desk) == []


def test_status_without_a_status_says_which(desk: Harness) -> None:
    desk.command("/issue", "printer on fire", user="UALICE")
    reply = desk.command("/issue", "status 1", user="UALICE")
    assert "Which status?" in reply.text and "analyzing" in reply.text
    assert "`/issue causes" not in reply.text  # only the usage of the subcommand meant


def test_resolve_and_distance() -> None:
    names = ["list", "show", "take", "close", "help"]
    assert distance("lsit", "list") == 1 and distance("resolv", "resolve") == 1
    assert resolve("slow", "export is slow", names).name is None
    assert resolve("slow", "export is slow", names).suggestion is None
    assert resolve("slow", "", names).suggestion == "show"
    assert resolve("帮助", "", names).name == "help"
    takes = {"list": ["mine", "open"]}
    assert resolve("mine", "", names, takes=takes).suggestion == "list mine"
    assert resolve("mine", "is broken", names, takes=takes).suggestion is None


def test_broadcasts_and_people_in_a_slash_command_summary_read_like_a_form(desk: Harness) -> None:
    desk.command("/issue", "help", user="UBOB")  # Bob's profile is learnt
    desk.command("/issue", "export <!here> crashes for <@UBOB>", user="UALICE")
    assert ticket(desk, 1).summary == "export @here crashes for @bob"
    shown = visible_text(cards(desk)[0])
    assert "<!here>" not in shown and "&lt;!here&gt;" not in shown and "@\u200bhere" in shown


def test_broadcasts_read_the_same_on_every_path_in_chinese(desk: Harness) -> None:
    desk.command("/issue", "help", user="UCAROL")
    desk.command("/issue", "导出 <!here> 崩溃", user="UCAROL")  # a slash command
    values = {"summary": "表单 @here 崩溃", "severity": "normal", "category": "bug"}
    submit(desk, "issue_file", values, view_id="VZH", user="UCAROL")  # the form
    desk.settle()
    assert [t.summary for t in tickets(desk)] == ["导出 @here 崩溃", "表单 @here 崩溃"]
    for shown in (visible_text(card) for card in cards(desk)):
        assert "<!here>" not in shown and "&lt;!here&gt;" not in shown
        assert "@\u200bhere" in shown and "崩溃" in shown
