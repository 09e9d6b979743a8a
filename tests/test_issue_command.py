"""`/issue` subcommands over real HTTP: filing at once, the queue's flow, lists, search, causes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers import issue_follow_ups
from tests.harness import Harness, visible_text
from tests.issue_fixtures import (
    SUPPORT,
    buttons,
    card,
    cards,
    dms,
    events,
    give_role,
    thread,
    ticket,
)


def test_file_at_once_posts_a_card_and_numbers_per_workspace(desk: Harness) -> None:
    first = desk.command("/issue", "[urgent] customer: ACME; export crashes", user="UALICE")
    assert first.status == 200 and first.json["response_type"] == "ephemeral"
    assert "Filed #1 export crashes" in first.text and "<#C0SUPPORT>" in first.text
    second = desk.command("/issue", "login is slow", user="UBOB")
    assert "#2" in second.text
    # Another workspace's request is refused (numbering per workspace: test_request_gate.py).
    assert desk.command("/issue", "their own problem", team="T0002").status == 403
    stored = ticket(desk, 1)
    assert (stored.severity, stored.customer, stored.status) == ("urgent", "ACME", "new")
    shown = visible_text(card(desk, 1))
    for part in ("#1 export crashes", "ACME", "urgent", "new", "<@UALICE>"):
        assert part in shown
    assert buttons(card(desk, 1)) == [
        "issue_take",
        "issue_analyze",
        "issue_escalate",
        "issue_resolve",
    ]
    assert stored.card_channel == SUPPORT and stored.card_ts == card(desk, 1)["ts"]


def test_without_a_support_channel_filing_works_and_says_how(app: Harness) -> None:
    reply = app.command("/issue", "printer on fire", user="UALICE")
    assert "Filed #1" in reply.text and "/rolecall config support_channel" in reply.text
    assert app.slack.calls_to("chat.postMessage") == []
    app.command("/rolecall", "config support_channel <#C0SUPPORT|support>")
    assert "<#C0SUPPORT>" in app.command("/issue", "second one").text
    assert len(app.slack.messages(SUPPORT)) == 1


def test_the_whole_flow_updates_the_card_thread_and_reporter(desk: Harness) -> None:
    give_role(desk, "UBOB", "customer-support")
    desk.command("/issue", "export crashes", user="UALICE")
    assert "yours" in desk.command("/issue", "take 1", user="UBOB").text
    assert "analysed" in desk.command("/issue", "status #1 analyzing", user="UBOB").text
    resolved = desk.command(
        "/issue", "resolve 1 root cause: stale cache; solution: purge on deploy", user="UBOB"
    )
    assert "resolved" in resolved.text
    assert "closed" in desk.command("/issue", "close 1", user="UBOB").text
    shown = visible_text(card(desk, 1))
    assert "closed" in shown and "stale cache" in shown and "<@UBOB>" in shown
    assert buttons(card(desk, 1)) == ["issue_reopen"]
    assert card(desk, 1).get("edited")  # updated in place, never reposted
    assert len(cards(desk)) == 1
    story = thread(desk, SUPPORT, card(desk, 1)["ts"])
    assert len(story) == 4 and "purge on deploy" in story[2]
    told = dms(desk, "UALICE")
    assert len(told) == 3 and "analyzing" in told[0] and "closed" in told[2]
    assert [a for a, _ in events(desk, 1)] == ["filed", "assign", "analyze", "resolve", "close"]


def test_illegal_transitions_are_refused_with_the_reason(desk: Harness) -> None:
    give_role(desk, "UBOB", "customer-support")
    desk.command("/issue", "export crashes", user="UALICE")
    refused = desk.command("/issue", "close 1", user="UALICE")  # the reporter may close, later
    assert "not resolved yet" in refused.text
    desk.command("/issue", "resolve 1 root cause: a; solution: b", user="UBOB")
    twice = desk.command("/issue", "resolve 1 root cause: a; solution: b", user="UBOB")
    assert "already resolved" in twice.text
    assert "still open" not in twice.text
    assert ticket(desk, 1).status == "resolved"


def test_resolve_in_chinese_and_both_parts_required(desk: Harness) -> None:
    give_role(desk, "UBOB", "customer-support")
    desk.command("/issue", "导出崩溃", user="UALICE")
    missing = desk.command("/issue", "resolve 1 root cause: only this", user="UBOB")
    assert "Both the root cause and the solution" in missing.text and "Usage" in missing.text
    done = desk.command("/issue", "resolve 1 根本原因：缓存过期；解决方案：缩短时间", user="UBOB")
    assert "#1" in done.text
    stored = ticket(desk, 1)
    assert (stored.root_cause, stored.solution) == ("缓存过期", "缩短时间")
    # The card speaks the workspace's language (English here), not the summary's.
    assert "resolved" in visible_text(card(desk, 1)) and "已解决" not in visible_text(card(desk, 1))


def test_close_and_reopen_are_for_the_people_answerable(desk: Harness) -> None:
    desk.command("/issue", "export crashes", user="UALICE")
    desk.command("/issue", "resolve 1 root cause: a; solution: b", user="UADMIN")
    assert "not allowed to close #1" in desk.command("/issue", "close 1", user="UCAROL").text
    give_role(desk, "UCAROL", "customer-support")
    assert "已关闭" in desk.command("/issue", "close 1", user="UCAROL").text  # Carol reads Chinese
    assert "not allowed to reopen #1" in desk.command("/issue", "reopen 1", user="UBOB").text
    assert "reopened" in desk.command("/issue", "reopen 1", user="UADMIN").text
    assert ticket(desk, 1).status == "analyzing"


def test_assign_and_take_conflicts(desk: Harness) -> None:
    give_role(desk, "UALICE", "customer-support")
    desk.command("/issue", "export crashes", user="UALICE")
    assigned = desk.command("/issue", "assign 1 <@UBOB|bob>", user="UALICE")
    assert "<@UBOB>" in assigned.text
    assert any("assigned" in text for text in dms(desk, "UBOB"))
    taken = desk.command("/issue", "take 1", user="UADMIN")
    assert "already taken by <@UBOB>" in taken.text
    assert ticket(desk, 1).assignee_id == "UBOB"


def test_escalate_notifies_the_tech_lead_or_says_nobody_holds_it(desk: Harness) -> None:
    give_role(desk, "UALICE", "customer-support")
    desk.command("/issue", "export crashes", user="UALICE")
    nobody = desk.command("/issue", "escalate 1 customers are blocked", user="UALICE")
    assert "Nobody holds the Tech Lead role" in nobody.text and "/role assign" in nobody.text
    give_role(desk, "UBOB", "tech-lead")
    done = desk.command("/issue", "escalate 1 customers are <!channel> blocked", user="UALICE")
    assert "<@UBOB>" in done.text
    told = dms(desk, "UBOB")
    assert len(told) == 1 and "customers are" in told[0] and "<!channel>" not in told[0]
    assert "escalated" in visible_text(card(desk, 1))


def test_lists_show_and_search(desk: Harness) -> None:
    give_role(desk, "UBOB", "customer-support")
    desk.command("/issue", "[low] slow dashboard", user="UALICE")
    desk.command("/issue", "[urgent] customer: Globex; export crashes", user="UALICE")
    desk.command("/issue", "[feedback] wants dark mode", user="UBOB")
    desk.command("/issue", "resolve 1 root cause: N+1 query; solution: add index", user="UBOB")
    open_list = desk.command("/issue", "list", user="UALICE").text
    assert "#2" in open_list and "#3" in open_list and "#1 " not in open_list
    assert open_list.index("#2") < open_list.index("#3")  # most severe first
    assert "#1" in desk.command("/issue", "list all").text
    assert "#2" in desk.command("/issue", "list urgent").text
    assert "#3" in desk.command("/issue", "list feedback").text
    mine = desk.command("/issue", "list mine", user="UBOB").text
    assert "#3" in mine and "#1" in mine and "#2" not in mine
    assert "#1" in searched(desk, "add INDEX")  # solutions are searched
    assert "#2" in searched(desk, "globex")  # customers too
    assert "No ticket matches" in searched(desk, "nothing-like-it")
    shown = desk.command("/issue", "show #1").text
    assert "History" in shown and "filed it" in shown and "resolved it" in shown


def searched(desk: Harness, words: str, team: str = "T0001") -> str:
    """What `/issue search` shows: its results, in the ack (a search this small is quick)."""
    reply = desk.command("/issue", f"search {words}", team=team)
    assert reply.json["response_type"] == "ephemeral"
    assert desk.responses(reply.response_key) == []  # nothing follows the answer
    return reply.text


def test_search_answers_in_the_ack(desk: Harness) -> None:
    desk.command("/issue", "customer: Initech; printer jams", user="UALICE")
    reply = desk.command("/issue", "search PRINTER", settle=False)
    assert reply.status == 200
    assert "*Tickets matching* PRINTER (1):" in reply.text and "#1" in reply.text
    assert "newest" not in reply.text  # every ticket was read
    desk.settle()
    assert desk.responses(reply.response_key) == []


def test_a_slow_search_says_so_and_its_results_come_as_a_new_message(
    desk: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The ack's budget used up at once: the results cannot be in the ack.
    monkeypatch.setattr(issue_follow_ups, "SEARCH_ACK_BUDGET", 0.0)
    desk.command("/issue", "customer: Initech; printer jams", user="UALICE")
    reply = desk.command("/issue", "search PRINTER")
    assert "Still searching for PRINTER" in reply.text and "new message" in reply.text
    (posted,) = [r for r in desk.slack.responses if r.key == reply.response_key]
    assert posted.effect == "ephemeral" and "replace_original" not in posted.body
    assert "*Tickets matching* PRINTER (1):" in posted.body["text"]


def test_list_order_is_severity_then_newest_across_severities(desk: Harness) -> None:
    filed = ["[low] a", "[urgent] b", "[normal] c", "[high] d", "[urgent] e", "[low] f"]
    filed += ["[normal] g", "[high] h", "[normal] i"]
    for text in filed:
        desk.command("/issue", text, user="UALICE")
    give_role(desk, "UBOB", "customer-support")
    desk.command("/issue", "take 8", user="UBOB")  # analyzing and new both count as open
    desk.command("/issue", "status 8 analyzing", user="UBOB")
    desk.command("/issue", "resolve 9 root cause: x; solution: y", user="UBOB")
    expected = [5, 2, 8, 4, 7, 3, 6, 1]  # urgent, high, normal, low; newest first in each
    shown = desk.command("/issue", "list").text
    assert "(8)" in shown
    assert [int(line.split("#")[1].split()[0]) for line in shown.splitlines()[1:]] == expected
    mine = desk.command("/issue", "list mine", user="UBOB").text
    assert [int(line.split("#")[1].split()[0]) for line in mine.splitlines()[1:]] == [8, 9]
    urgent = desk.command("/issue", "list urgent").text
    assert [int(line.split("#")[1].split()[0]) for line in urgent.splitlines()[1:]] == [5, 2]


def test_causes_ranks_root_causes_of_recent_resolutions(desk: Harness) -> None:
    assert "No ticket was resolved" in desk.command("/issue", "causes").text
    for n, cause in enumerate(["Cache TTL", "cache ttl", "DNS"], start=1):
        desk.command("/issue", f"[question] problem {n}")
        desk.command("/issue", f"resolve {n} root cause: {cause}; solution: fix")
    ranked = desk.command("/issue", "causes").text
    assert "Cache TTL — 2×" in ranked and "DNS — 1×" in ranked and "question 3" in ranked
    desk.clock.advance(timedelta(days=10))
    assert "No ticket was resolved in the last 7 days" in desk.command("/issue", "causes 7").text


def test_causes_counts_read_right_for_one_in_both_languages(desk: Harness) -> None:
    assert "No ticket was resolved in the last day." in desk.command("/issue", "causes 1").text
    desk.command("/issue", "help", user="UCAROL")  # first contact: her zh-CN locale is learnt
    assert "最近 1 天没有已解决的工单。" in desk.command("/issue", "causes 1", user="UCAROL").text
    desk.command("/issue", "[question] problem")
    desk.command("/issue", "resolve 1 root cause: DNS; solution: fix")
    english = desk.command("/issue", "causes 1").text
    assert "*Root cause of the 1 ticket resolved in the last day*" in english
    assert "*Root causes of the 1 tickets" not in english
    two_days = desk.command("/issue", "causes 2", user="UCAROL").text
    assert "*最近 2 天解决的 1 个工单的根本原因*" in two_days


def test_bad_input_gets_a_short_explanation_with_usage(desk: Harness) -> None:
    for text in (
        "take",
        "take abc",
        "show 99",
        "list sideways",
        "assign 1",
        "status 1 sideways",
        "[bogus] thing",
        "causes many",
        "search",
        "x" * 2500,
    ):
        reply = desk.command("/issue", text)
        assert reply.status == 200 and reply.json["response_type"] == "ephemeral", text
        assert "Usage" in reply.text, text
    assert "`/issue list" in desk.command("/issue", "help").text


def test_workspaces_never_see_each_others_tickets(desk: Harness) -> None:
    # This process serves T0001 only; two workspaces sharing a store: test_request_gate.py.
    desk.command("/issue", "customer: Secret Corp; private matter", user="UALICE")
    other = "T0002"
    for text in ("show 1", "list all", "search secret", "take 1"):
        refused = desk.command("/issue", text, team=other)
        assert refused.status == 403 and desk.responses(refused.response_key) == []
    assert ticket(desk, 1).assignee_id is None


def test_ticket_text_is_escaped_everywhere(desk: Harness) -> None:
    desk.command("/issue", "<!channel> @here <@UBOB> & <https://evil|click>", user="UALICE")
    reply = desk.command("/issue", "show 1")
    for shown in (visible_text(card(desk, 1)), reply.text, desk.command("/issue", "list").text):
        assert "<!channel>" not in shown and "<@UBOB>" not in shown and "<https" not in shown
        assert "@\u200bchannel" in shown  # as a form or a message shows it: inert
    assert ticket(desk, 1).summary == "@channel @here @UBOB & click (https://evil)"


def test_long_text_is_stored_whole_and_cut_only_where_slack_requires(desk: Harness) -> None:
    summary = "crash " * 50  # 300 characters: a summary's limit
    too_long = desk.command("/issue", summary + "and burns", user="UALICE")
    assert "summary is too long (309 characters; at most 300)" in too_long.text
    assert "Usage" in too_long.text and not cards(desk)
    reply = desk.command("/issue", summary, user="UALICE")
    assert reply.status == 200 and "Filed #1" in reply.text
    assert ticket(desk, 1).summary == summary.strip()
    message = card(desk, 1)
    assert len(message["text"]) <= 3000
    for block in message["blocks"]:
        for text in [block.get("text", {}).get("text", "")] + [
            f["text"] for f in block.get("fields", [])
        ]:
            assert len(text) <= 3000
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75


def test_help_and_answers_in_chinese(desk: Harness) -> None:
    desk.command("/issue", "help", user="UCAROL")  # first contact: profile fetched after ack
    assert "客户支持队列" in desk.command("/issue", "help", user="UCAROL").text
    assert "已登记 #1" in desk.command("/issue", "客户：阿里；导出失败", user="UCAROL").text
    assert ticket(desk, 1).customer == "阿里"


def test_show_speaks_the_viewer_language_while_the_card_keeps_the_ticket_one(
    desk: Harness,
) -> None:
    desk.command("/issue", "[urgent] export crashes", user="UALICE")
    desk.command("/issue", "take 1", user="UBOB")
    desk.command("/issue", "help", user="UCAROL")  # first contact: profile fetched after ack
    shown = desk.command("/issue", "show 1", user="UCAROL")
    text = visible_text({"text": shown.text, "blocks": shown.json["blocks"]})
    for part in ("严重程度", "紧急", "新建", "历史记录", "登记了工单（紧急）", "由 <@UALICE> 登记"):
        assert part in text, part
    assert "Severity" not in text and "(urgent)" not in text
    english = desk.command("/issue", "show 1", user="UALICE")
    assert "filed it (urgent)" in visible_text({"text": "", "blocks": english.json["blocks"]})
    in_channel = visible_text(card(desk, 1))
    assert "Severity" in in_channel and "严重程度" not in in_channel
    listed = desk.command("/issue", "list", user="UCAROL").text
    assert "紧急" in listed and "新建" in listed
