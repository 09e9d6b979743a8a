"""Filing from Slack surfaces: the modal, the message shortcut and the :ticket: reaction,
with double submissions, Slack retries and many people reacting at once."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

from bot.settings import load_settings
from bot.shell import run_shell
from slack_emulator import payloads
from tests.harness import Harness, visible_text
from tests.issue_fixtures import (
    FORM,
    SUPPORT,
    card,
    dms,
    give_role,
    submit,
    thread,
    ticket,
    tickets,
)

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def opened_views(app: Harness) -> list[dict]:
    """The views the app opened, in order."""
    return [call.args["view"] for call in app.slack.calls_to("views.open")]


def test_issue_alone_opens_the_modal_and_its_submission_files_once(desk: Harness) -> None:
    reply = desk.command("/issue", "", user="UALICE")
    assert reply.status == 200 and reply.raw.strip() in (b"", b"{}")
    view = desk.slack.views[-1]
    assert view["callback_id"] == "issue_file"
    blocks = [b.get("block_id") for b in view["blocks"]]
    assert blocks == ["summary", "customer", "severity", "category", "description"]
    values = {
        "summary": "Export crashes",
        "customer": "ACME",
        "severity": "high",
        "category": "bug",
        "description": "It crashes at 90%.",
    }
    first = submit(desk, "issue_file", values, view=view)
    assert first.json["response_action"] == "update"
    assert "Filed #1" in visible_text(first.json["view"])
    again = submit(desk, "issue_file", values, view=view)  # the same view submitted twice
    assert "already filed as #1" in visible_text(again.json["view"])
    assert len(tickets(desk)) == 1
    stored = ticket(desk, 1)
    assert (stored.severity, stored.customer, stored.reporter_id) == ("high", "ACME", "UALICE")
    assert "Export crashes" in visible_text(card(desk, 1))


def test_a_long_description_is_stored_whole_and_shown_short(desk: Harness) -> None:
    long = "word " * 600  # 3 000 characters, Slack's modal maximum
    values = {"summary": "s", "severity": "normal", "category": "bug", "description": long}
    submit(desk, "issue_file", values, view_id="VLONG")
    assert ticket(desk, 1).description == long
    for block in card(desk, 1)["blocks"]:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
    shown = desk.command("/issue", "show 1")
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in shown.json["blocks"])


def test_a_blank_summary_is_refused_in_the_modal(desk: Harness) -> None:
    reply = submit(desk, "issue_file", {"summary": "  ", "severity": "low", "category": "bug"})
    assert reply.json["response_action"] == "errors" and "summary" in reply.json["errors"]
    assert tickets(desk) == []


def test_feedback_goes_to_the_product_managers(desk: Harness) -> None:
    give_role(desk, "UCAROL", "product-manager")
    values = {"summary": "Wants CSV import", "severity": "low", "category": "feature-request"}
    submit(desk, "issue_file", values, view_id="VFEED")
    assert any("Wants CSV import" in text for text in dms(desk, "UCAROL"))
    desk.command("/issue", "[feedback] loves the new editor", user="UALICE")
    assert len(dms(desk, "UCAROL")) == 2


def _shortcut(
    app: Harness, ts: str, text: str, *, user: str = "UBOB", thread_ts: str | None = None
) -> None:
    key, url = app.new_response_url()
    message = {"ts": ts, "text": text, "user": "UALICE"}
    body = payloads.message_shortcut(
        team_id="T0001",
        user_id=user,
        user_name=user.lower(),
        callback_id="log_customer_issue",
        channel_id="C0GENERAL",
        message=message | ({"thread_ts": thread_ts} if thread_ts else {}),
        response_url=url,
    )
    assert app.post(body, FORM).status == 200
    app.settle()


def test_message_shortcut_prefills_the_modal_with_text_and_link(desk: Harness) -> None:
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "ACME says export <!here> crashes")
    _shortcut(desk, ts, "ACME says export <!here> crashes")
    view = desk.slack.views[-1]
    shown = json.dumps(view)
    assert "ACME says export" in shown and "emulator.slack.test/archives/C0GENERAL" in shown
    values = {"summary": "Export crashes", "severity": "urgent", "category": "bug"}
    submit(desk, "issue_file", values, view=view, user="UBOB")
    stored = ticket(desk, 1)
    assert (stored.source_channel, stored.source_ts) == ("C0GENERAL", ts)
    assert "original message" in visible_text(card(desk, 1))
    _shortcut(desk, ts, "ACME says export <!here> crashes")  # the same message again
    assert "already filed as #1" in json.dumps(desk.responses())
    desk.command("/issue", "resolve 1 root cause: bad index; solution: rebuilt it", user="UADMIN")
    filed, answer = thread(desk, "C0GENERAL", ts)
    assert "Filed as ticket #1 by <@UBOB>" in filed
    assert "bad index" in answer and "rebuilt it" in answer


def test_a_ticket_filed_by_the_shortcut_says_so_in_the_thread_once(desk: Harness) -> None:
    root = desk.slack.post_user_message("C0GENERAL", "UALICE", "thread start")
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "Export crashes", thread_ts=root)
    _shortcut(desk, ts, "Export crashes", thread_ts=root)
    view = desk.slack.views[-1]
    values = {"summary": "Export crashes", "severity": "normal", "category": "bug"}
    submit(desk, "issue_file", values, view=view, user="UBOB")
    submit(desk, "issue_file", values, view=view, user="UBOB")  # a double submission
    desk.settle()
    assert thread(desk, "C0GENERAL", root) == [  # the reply filed, then Rolecall's answer
        "Export crashes",
        "Filed as ticket #1 by <@UBOB>; updates follow in the support channel.",
    ]
    desk.command("/rolecall", "config language zh", user="UADMIN")  # a Chinese workspace
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "导出时崩溃")
    _shortcut(desk, ts, "导出时崩溃", user="UCAROL")
    values = {"summary": "导出时崩溃", "severity": "normal", "category": "bug"}
    submit(desk, "issue_file", values, view=desk.slack.views[-1], user="UCAROL")
    desk.settle()
    assert thread(desk, "C0GENERAL", ts) == ["<@UCAROL> 已将此登记为工单 #2；后续进展见支持频道。"]


def test_without_a_support_channel_the_shortcut_thread_reply_promises_none(app: Harness) -> None:
    ts = app.slack.post_user_message("C0GENERAL", "UALICE", "Export crashes")
    _shortcut(app, ts, "Export crashes")
    values = {"summary": "Export crashes", "severity": "normal", "category": "bug"}
    submit(app, "issue_file", values, view=app.slack.views[-1], user="UBOB")
    app.settle()
    assert thread(app, "C0GENERAL", ts) == [
        "Filed as ticket #1 by <@UBOB>. Follow it with `/issue show 1`."
    ]


def _react(app: Harness, ts: str, user: str, **kw: object) -> None:
    event = payloads.reaction_added(
        user_id=user, reaction="ticket", channel_id="C0GENERAL", message_ts=ts, item_user="UALICE"
    )
    reply = app.event(event, **kw)  # type: ignore[arg-type]
    assert reply.status == 200


def test_a_ticket_reaction_files_the_message_once_with_retries(desk: Harness) -> None:
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "Customer: login loops\nsince 9am")
    _react(desk, ts, "UBOB")
    _react(desk, ts, "UBOB", headers=RETRY)
    _react(desk, ts, "UBOB", headers={**RETRY, "X-Slack-Retry-Num": "2"})
    assert len(tickets(desk)) == 1
    stored = ticket(desk, 1)
    assert stored.summary == "Customer: login loops"
    assert stored.description == "Customer: login loops\nsince 9am"
    assert stored.reporter_id == "UBOB"
    replies = thread(desk, "C0GENERAL", ts)
    assert len(replies) == 1 and "#1" in replies[0]
    assert "login loops" in visible_text(card(desk, 1))


def test_a_second_ticket_reaction_tells_its_reactor_the_number(desk: Harness) -> None:
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "Export hangs")
    _react(desk, ts, "UBOB")
    _react(desk, ts, "UCAROL")  # Chinese locale
    _react(desk, ts, "UCAROL", headers=RETRY)  # Slack retries: told once
    assert len(tickets(desk)) == 1
    told = [m["text"] for m in desk.slack.ephemeral_messages("UCAROL")]
    assert told == ["这已登记为 #1。"]
    assert desk.slack.ephemeral_messages("UBOB") == []  # the filer was answered in the thread
    _react(desk, ts, "UADMIN")
    assert [m["text"] for m in desk.slack.ephemeral_messages("UADMIN")] == [
        "That is already filed as #1."
    ]


def test_five_people_reacting_at_once_file_one_ticket(desk: Harness) -> None:
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "Billing page is down")
    people = ["UADMIN", "UALICE", "UBOB", "UCAROL", "UADMIN"]
    workers = [
        threading.Thread(target=_react, args=(desk, ts, who), kwargs={"settle": False})
        for who in people
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    desk.settle()
    assert len(tickets(desk)) == 1
    assert len(thread(desk, "C0GENERAL", ts)) == 1
    assert len([m for m in desk.slack.messages(SUPPORT) if "blocks" in m]) == 1


def test_other_reactions_are_ignored_and_no_channel_means_a_hint(app: Harness) -> None:
    ts = app.slack.post_user_message("C0GENERAL", "UALICE", "nice work")
    event = payloads.reaction_added(
        user_id="UBOB", reaction="tada", channel_id="C0GENERAL", message_ts=ts, item_user="UALICE"
    )
    app.event(event)
    assert tickets(app) == []
    _react(app, ts, "UBOB")
    assert len(tickets(app)) == 1
    hints = app.slack.ephemeral_messages("UBOB")
    assert hints and "support_channel" in hints[0]["text"]


def test_the_reaction_on_a_thread_reply_answers_in_that_thread(desk: Harness) -> None:
    root = desk.slack.post_user_message("C0GENERAL", "UALICE", "thread start")
    reply = desk.slack.post_user_message("C0GENERAL", "UALICE", "the actual bug", thread_ts=root)
    _react(desk, reply, "UBOB")
    assert ticket(desk, 1).summary == "the actual bug"
    assert any("#1" in text for text in thread(desk, "C0GENERAL", root))


def test_the_modal_without_a_support_channel_says_how_to_set_one(app: Harness) -> None:
    values = {"summary": "Export crashes", "severity": "normal", "category": "question"}
    reply = submit(app, "issue_file", values, view_id="VNOCH")
    shown = visible_text(reply.json["view"])
    assert "Filed #1" in shown and "support_channel" in shown
    assert app.slack.calls_to("chat.postMessage") == []


def test_a_ticket_from_a_message_reads_as_people_read_it(desk: Harness) -> None:
    sent = "<@UBOB|bob> says export > 10MB fails & more"
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", sent)
    stored_message = desk.slack.messages("C0GENERAL")[-1]["text"]
    assert stored_message == "<@UBOB|bob> says export &gt; 10MB fails &amp; more"  # as Slack
    _react(desk, ts, "UCAROL")
    stored = ticket(desk, 1)
    assert stored.summary == stored.description == "@bob says export > 10MB fails & more"
    shown = visible_text(card(desk, 1))
    assert "@bob says export &gt; 10MB fails &amp; more" in shown  # escaped once for mrkdwn
    assert "&amp;gt;" not in shown and "&amp;amp;" not in shown and "<@UBOB" not in shown
    listed = desk.command("/issue", "list", user="UALICE").text
    assert "@bob says export &gt; 10MB" in listed and "&amp;gt;" not in listed


def test_unlabelled_mentions_are_named_from_cached_profiles(desk: Harness) -> None:
    desk.command("/issue", "help", user="UCAROL")  # Carol's profile is cached after this
    text = "<@UCAROL> cannot open <https://acme.test/x|the report> in <#C0GENERAL|general>"
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", text)
    _react(desk, ts, "UBOB")
    assert ticket(desk, 1).summary == (
        "@carol cannot open the report (https://acme.test/x) in #general"
    )


def test_the_shortcut_prefills_the_modal_with_readable_text(desk: Harness) -> None:
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "<@UBOB|bob>: upload > 10MB & <!here>")
    _shortcut(desk, ts, desk.slack.messages("C0GENERAL")[-1]["text"])
    view = desk.slack.views[-1]
    initial = {
        b["block_id"]: b["element"].get("initial_value")
        for b in view["blocks"]
        if b["type"] == "input"
    }
    assert initial["summary"] == initial["description"] == "@bob: upload > 10MB & @here"


def test_the_bot_own_messages_are_not_filed(desk: Harness) -> None:
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "login loops")
    _react(desk, ts, "UBOB")
    answer = next(m for m in desk.slack.messages("C0GENERAL") if m["ts"] != ts)
    card_ts = card(desk, 1)["ts"]
    before = len(dms(desk, "UCAROL"))
    desk.event(
        payloads.reaction_added(
            user_id="UCAROL",
            reaction="ticket",
            channel_id=SUPPORT,
            message_ts=card_ts,
            item_user="UBOT",
        )
    )
    _react(desk, answer["ts"], "UCAROL")  # the bot's "Filed as ticket #1" thread reply
    assert len(tickets(desk)) == 1
    told = dms(desk, "UCAROL")[before:]
    assert len(told) == 2 and all("one of mine" in text or "我发的消息" in text for text in told)
    key, url = desk.new_response_url()
    body = payloads.message_shortcut(
        team_id="T0001",
        user_id="UBOB",
        user_name="bob",
        callback_id="log_customer_issue",
        channel_id=SUPPORT,
        message={"ts": card_ts, "text": "#1 login loops", "user": "UBOT", "bot_id": "BBOT"},
        response_url=url,
    )
    opened = len(desk.slack.calls_to("views.open"))
    assert desk.post(body, FORM).status == 200
    desk.settle()
    assert len(desk.slack.calls_to("views.open")) == opened
    said = desk.responses(key)
    assert said and said[0]["response_type"] == "ephemeral" and "one of mine" in said[0]["text"]
    assert len(tickets(desk)) == 1


def test_without_a_support_channel_the_thread_reply_does_not_promise_one(app: Harness) -> None:
    ts = app.slack.post_user_message("C0GENERAL", "UALICE", "login loops")
    _react(app, ts, "UBOB")
    answer = thread(app, "C0GENERAL", ts)
    assert len(answer) == 1 and "#1" in answer[0] and "/issue show 1" in answer[0]
    assert "support channel" not in answer[0]


def test_a_product_manager_is_not_told_of_their_own_feedback(desk: Harness) -> None:
    give_role(desk, "UBOB", "product-manager")
    give_role(desk, "UCAROL", "product-manager")
    desk.command("/issue", "[feedback] wants dark mode", user="UBOB")
    assert dms(desk, "UBOB") == []
    assert len(dms(desk, "UCAROL")) == 1


def test_the_shell_say_and_react_file_readable_text(tmp_path: Path) -> None:
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'shell.db'}", admins=())
    lines = [
        "/rolecall config support_channel #support",
        "say #general @bob says export > 10MB & more <b>",
        "react ticket 1",
        "/issue list",
    ]
    out, typed = io.StringIO(), io.StringIO("\n".join(lines))
    assert run_shell(settings, as_user="admin", stdin=typed, stdout=out) == 0
    assert "• *#1 @bob says export > 10MB & more <b>* · normal · new" in out.getvalue()
