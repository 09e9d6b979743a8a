"""Prompts scheduled ahead in Slack (chat.scheduleMessage), through the real app: posted at
their local time by Slack, posted directly when too near, deleted when the person drops
out, never scheduled twice after an uncertain answer; the reminder in the prompt's thread."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.scheduler import run_due
from services import deliveries as outbox
from storage.models import OutboxDelivery, PromptOccurrence
from tests.harness import visible_text
from tests.test_standup_slack import MONDAY, NY, SH, Week, utc
from tests.test_standup_slack import week as week  # the fixture

PROMPT_AT = utc(MONDAY, 1, 30)  # 09:30 in Shanghai
SCHEDULE, DELETE = "chat.scheduleMessage", "chat.deleteScheduledMessage"


def occurrence(week: Week) -> PromptOccurrence:
    """The Shanghai tech lead's Monday occurrence."""
    with week.app.db.begin() as session:
        row = session.scalars(
            select(PromptOccurrence).where(PromptOccurrence.user_id == SH)
        ).first()
        assert row is not None
        session.expunge(row)
        return row


def queued(week: Week) -> list[dict[str, Any]]:
    """What Slack holds scheduled in the tech lead's DM."""
    return week.slack.scheduled(f"D{SH}")


def test_a_prompt_is_scheduled_ahead_and_posts_at_its_local_time(week: Week) -> None:
    week.tick(utc(MONDAY, 0))  # 90 minutes ahead, inside the horizon
    [scheduled] = week.slack.calls_to(SCHEDULE)
    assert scheduled.args["channel"] == SH
    assert int(scheduled.args["post_at"]) == int(PROMPT_AT.timestamp())
    assert "metadata" not in scheduled.args  # Slack would not post it with metadata
    [held] = queued(week)
    row = occurrence(week)
    assert (row.scheduled_message_id, row.dm_channel) == (held["id"], f"D{SH}")
    assert week.dms(SH) == []  # not yet: Slack posts it at 09:30
    week.tick(utc(MONDAY, 1, 29))
    assert week.dms(SH) == []
    week.tick(PROMPT_AT)
    [prompt] = week.dms(SH)
    assert "站会" in prompt["text"] and queued(week) == []
    assert not [c for c in week.slack.calls_to("chat.postMessage") if c.args["channel"] == SH]


def test_a_prompt_too_near_to_schedule_is_posted_directly_at_its_time(week: Week) -> None:
    week.tick(PROMPT_AT - timedelta(seconds=30))  # under a minute ahead
    assert week.slack.calls_to(SCHEDULE) == []
    [prompt] = week.dms(SH)  # the drain waited for 09:30 (fake time), then posted it
    assert [c.args["channel"] for c in week.slack.calls_to("chat.postMessage")].count(SH) == 1
    assert week.time.now() >= PROMPT_AT
    row = occurrence(week)
    assert (row.dm_channel, row.dm_ts, row.scheduled_message_id) == (f"D{SH}", prompt["ts"], None)


def test_slack_saying_time_in_past_posts_the_prompt_directly(week: Week) -> None:
    week.slack.clock = lambda: week.time.seconds() + 3600  # Slack's clock: an hour ahead
    week.tick(utc(MONDAY, 1))
    assert len(week.slack.calls_to(SCHEDULE)) == 1  # refused: time_in_past
    assert queued(week) == []
    assert len(week.dms(SH)) == 1  # posted directly at its time, once
    assert week.time.now() >= PROMPT_AT


@pytest.mark.parametrize(
    ("command", "text", "user"),
    [
        ("/role", f"away <@{SH}> until 2026-03-09", "UADMIN"),
        ("/standup", "skip today", SH),
        ("/standup", "pause", SH),
        ("/role", f"unassign <@{SH}> tech-lead", "UADMIN"),
        ("/standup", "unschedule 1", "UADMIN"),
    ],
    ids=["away", "skip", "pause", "role-loss", "unschedule"],
)
def test_dropping_out_deletes_the_scheduled_prompt(
    week: Week, command: str, text: str, user: str
) -> None:
    week.tick(utc(MONDAY, 0))
    [held] = queued(week)
    week.at(utc(MONDAY, 0, 30))
    week.command(command, text, user=user)
    [deleted] = week.slack.calls_to(DELETE)
    assert deleted.args["scheduled_message_id"] == held["id"]
    assert queued(week) == []
    week.tick(PROMPT_AT)
    assert week.dms(SH) == []


def test_away_then_back_before_the_prompt_schedules_it_again_once(week: Week) -> None:
    week.tick(utc(MONDAY, 0))
    week.at(utc(MONDAY, 0, 10))
    week.command("/role", f"away <@{SH}> until 2026-03-09")
    week.command("/role", f"back <@{SH}>")
    assert week.slack.calls_to(DELETE) and queued(week) == []
    week.tick(utc(MONDAY, 0, 11))  # claimed again: a new scheduling
    assert len(week.slack.calls_to(SCHEDULE)) == 2 and len(queued(week)) == 1
    week.tick(PROMPT_AT)
    assert len(week.dms(SH)) == 1


def test_dropping_out_before_the_scheduling_was_tried_drops_it(week: Week) -> None:
    week.at(utc(MONDAY, 0))
    run_due(week.app.d, week.app.bolt.client, utc(MONDAY, 0))
    week.command("/standup", "skip today", user=SH)
    week.tick(PROMPT_AT)
    assert week.slack.calls_to(SCHEDULE) == [] and week.slack.calls_to(DELETE) == []
    assert week.dms(SH) == []


def in_doubt_then_away(week: Week, fault: str) -> None:
    """The prompt's scheduling answered 5xx (`fault`: before or after Slack scheduled it),
    then the tech lead set away before its retry."""
    week.at(utc(MONDAY, 0))
    run_due(week.app.d, week.app.bolt.client, utc(MONDAY, 0))
    if fault == "lost":
        week.slack.fail_next(SCHEDULE, status=500)
    else:
        week.slack.fail_after_posting(SCHEDULE, status=500)
    assert week.sender.drain(deadline=0.1) == 1  # its retry waits
    week.command("/role", f"away <@{SH}> until 2026-03-09")


def test_a_prompt_withdrawn_while_its_scheduling_was_in_doubt_never_posts(week: Week) -> None:
    week.slack.clock = lambda: week.time.seconds() + 3 * 3600  # Slack: time_in_past
    in_doubt_then_away(week, "lost")  # the retry would have posted it directly
    week.tick(PROMPT_AT)
    assert week.dms(SH) == [] and queued(week) == []
    assert len(week.slack.calls_to(SCHEDULE)) == 1


def test_a_prompt_scheduled_while_in_doubt_then_withdrawn_is_deleted(week: Week) -> None:
    in_doubt_then_away(week, "scheduled")
    assert len(week.slack.calls_to(SCHEDULE)) == 1  # adopted, not scheduled again
    assert len(week.slack.calls_to(DELETE)) == 1 and queued(week) == []
    week.tick(PROMPT_AT)
    assert week.dms(SH) == []


def test_a_cancel_after_the_prompt_posted_is_done_and_says_nothing_more(week: Week) -> None:
    week.tick(utc(MONDAY, 0))
    week.tick(PROMPT_AT)
    assert len(week.dms(SH)) == 1
    week.at(PROMPT_AT + timedelta(minutes=1))
    # The prompt has posted (it is no longer ahead, so nothing is withdrawn); a delete that
    # comes too late is answered invalid_scheduled_message_id and counts as done.
    row = occurrence(week)
    with week.app.db.begin() as session:
        outbox.unschedule(
            session,
            "T0001",
            "late-cancel",
            "no-such-scheduling",
            now=week.time.now(),
            channel=row.dm_channel,
            scheduled_message_id=row.scheduled_message_id,
        )
    week.send()
    assert len(week.slack.calls_to(DELETE)) == 1
    with week.app.db.begin() as session:
        done = session.scalars(select(OutboxDelivery).where(OutboxDelivery.key == "late-cancel"))
        assert [(d.state, d.last_error) for d in done] == [("skipped", "posted before the cancel")]
    assert len(week.dms(SH)) == 1


@pytest.mark.parametrize("fault", ["5xx", "timeout"])
def test_an_uncertain_scheduling_is_looked_up_not_scheduled_twice(week: Week, fault: str) -> None:
    if fault == "5xx":
        week.slack.fail_after_posting(SCHEDULE, status=500)
    else:
        week.slack.delay_after_posting(SCHEDULE, 1.5)  # longer than the client's 0.5 s
    week.tick(utc(MONDAY, 0))
    assert len(week.slack.calls_to(SCHEDULE)) == 1  # the retry found it in the list
    assert len(week.slack.calls_to("chat.scheduledMessages.list")) == 1
    [held] = queued(week)
    assert occurrence(week).scheduled_message_id == held["id"]  # adopted: cancellable
    week.tick(PROMPT_AT)
    assert len(week.dms(SH)) == 1


def test_an_uncertain_scheduling_that_never_reached_slack_is_scheduled_again(week: Week) -> None:
    week.slack.fail_next(SCHEDULE, status=502)
    week.tick(utc(MONDAY, 0))
    assert len(week.slack.calls_to(SCHEDULE)) == 2
    assert len(queued(week)) == 1
    week.tick(PROMPT_AT)
    assert len(week.dms(SH)) == 1


def test_an_uncertain_scheduling_never_adopts_another_schedules_prompt(week: Week) -> None:
    # Two standups at 09:30 (#general, #support): the same person, day and title.
    reply = week.command("/standup", "schedule all weekdays 09:30 <#C0SUPPORT|support>")
    assert "#2" in reply.text, reply.text
    week.slack.fail_next(SCHEDULE, status=502)  # never reached Slack: looked up, then again
    # …once the other prompt is scheduled (the first look is asked to wait a second).
    week.slack.fail_next("chat.scheduledMessages.list", status=429, retry_after=1)
    week.tick(utc(MONDAY, 0))
    held = queued(week)
    assert len(held) == 2 and len({m["text"] for m in held}) == 2
    week.tick(PROMPT_AT)
    prompts = week.dms(SH)
    assert len(prompts) == 2
    answers = {b["block_id"] for p in prompts for b in p["blocks"] if b["type"] == "actions"}
    assert len(answers) == 2  # each schedule's occurrence its prompt


def reminder_of(week: Week) -> dict[str, Any]:
    """The one reminder in the tech lead's DM (threads included)."""
    [reminder] = [m for m in week.dms(SH) if "提醒" in m["text"]]
    return reminder


def test_the_reminder_replies_in_the_thread_of_a_directly_posted_prompt(week: Week) -> None:
    week.tick(PROMPT_AT)
    [prompt] = week.dms(SH)
    week.tick(utc(MONDAY, 4, 30))  # an hour before the 4-hour window's cut-off
    assert reminder_of(week)["thread_ts"] == prompt["ts"]


def test_the_reminder_finds_the_thread_of_a_scheduled_prompt(week: Week) -> None:
    week.tick(utc(MONDAY, 0))
    week.tick(PROMPT_AT)
    [prompt] = week.dms(SH)
    assert occurrence(week).dm_ts is None  # Slack never said where it posted
    week.tick(utc(MONDAY, 4, 30))
    assert reminder_of(week)["thread_ts"] == prompt["ts"]


def test_the_reminder_is_top_level_when_the_prompt_cannot_be_looked_up(week: Week) -> None:
    week.tick(utc(MONDAY, 0))
    week.tick(PROMPT_AT)
    week.slack.refuse_next("conversations.history", "missing_scope")
    week.tick(utc(MONDAY, 4, 30))
    assert "thread_ts" not in reminder_of(week)


def test_a_reminder_retried_after_a_lost_answer_goes_where_its_first_try_went(
    week: Week,
) -> None:
    week.tick(utc(MONDAY, 0))
    week.tick(PROMPT_AT)
    week.slack.refuse_next("conversations.history", "missing_scope")  # first try: top-level
    week.slack.fail_after_posting("chat.postMessage", status=500)  # …and its answer is lost
    week.tick(utc(MONDAY, 4, 30))  # the retry could find the thread now; it keeps top-level
    assert "thread_ts" not in reminder_of(week)  # one reminder: the first try's, adopted


def buttons(message: dict[str, Any]) -> list[str]:
    """The labels of a message's buttons."""
    return [
        e["text"]["text"]
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def answer(week: Week, prompt: dict[str, Any]) -> None:
    """Press the prompt's button and submit an answer."""
    modal = week.press_answer(SH, prompt)
    inputs = [b["block_id"] for b in modal["blocks"] if b["type"] == "input"]
    week.submit(SH, modal, {inputs[0]: "shipped the cache"})


@pytest.mark.parametrize("ahead", [True, False], ids=["scheduled", "posted-directly"])
def test_the_prompt_dm_says_answered_and_offers_edit(week: Week, ahead: bool) -> None:
    week.tick(utc(MONDAY, 0) if ahead else PROMPT_AT)
    week.tick(PROMPT_AT)
    [prompt] = week.dms(SH)
    assert buttons(prompt) == ["回答"]
    answer(week, prompt)
    row = occurrence(week)
    assert (row.dm_channel, row.dm_ts, row.state) == (f"D{SH}", prompt["ts"], "answered")
    [shown] = week.dms(SH)  # the same message, updated in place
    assert shown["ts"] == prompt["ts"]
    cutoff = int(row.cutoff_at.timestamp())
    assert f"已回答 ✓ — <!date^{cutoff}^{{time}}|05:30 UTC> 前可修改" in visible_text(shown)
    assert buttons(shown) == ["修改"]
    # The relabelled button opens the saved answer; saving again updates nothing more.
    modal = week.press_answer(SH, shown)
    assert "shipped the cache" in json.dumps(modal)
    week.submit(SH, modal, {})
    updates = [c for c in week.slack.calls_to("chat.update") if c.args["channel"] == f"D{SH}"]
    assert len(updates) == 1


def test_a_scheduled_prompt_answered_by_command_is_marked_when_its_button_is_pressed(
    week: Week,
) -> None:
    week.tick(utc(MONDAY, 0))
    week.tick(PROMPT_AT)
    [prompt] = week.dms(SH)
    week.app.command("/standup", "", user=SH)  # the modal, without the DM's button
    modal = dict(week.slack.calls_to("views.open")[-1].args["view"])
    week.submit(SH, modal, {})
    assert occurrence(week).dm_ts is None and buttons(week.dms(SH)[0]) == ["回答"]
    week.press_answer(SH, prompt)  # the click says where the prompt is
    assert occurrence(week).dm_ts == prompt["ts"]
    assert buttons(week.dms(SH)[0]) == ["修改"]


def test_the_reminders_button_does_not_pass_for_the_prompt(week: Week) -> None:
    week.tick(utc(MONDAY, 0))
    week.tick(PROMPT_AT)
    week.slack.refuse_next("conversations.history", "missing_scope")
    week.tick(utc(MONDAY, 4, 30))  # the reminder, top-level: the prompt was not found
    reminder = reminder_of(week)
    answer(week, reminder)
    assert occurrence(week).dm_ts is None  # the reminder's ts is not the prompt's
    [prompt, _] = week.dms(SH)
    assert buttons(prompt) == ["回答"]
    assert not [c for c in week.slack.calls_to("chat.update") if c.args["channel"] == f"D{SH}"]


PM_QUESTION = "哪些需求或优先级有变化"  # the product manager's, in the tech lead's Chinese


def deliveries_of(week: Week, kind: str) -> list[tuple[str, str | None]]:
    """(state, last error) of the outbox's deliveries of `kind`."""
    with week.app.db.begin() as session:
        rows = session.scalars(select(OutboxDelivery).where(OutboxDelivery.kind == kind))
        return [(r.state, r.last_error) for r in rows]


def test_a_role_gained_before_a_scheduled_prompt_sends_it_again_with_its_questions(
    week: Week,
) -> None:
    week.tick(utc(MONDAY, 0))
    [first] = queued(week)
    [scheduled] = week.slack.calls_to(SCHEDULE)
    assert PM_QUESTION not in json.dumps(scheduled.args["blocks"], ensure_ascii=False)
    week.at(utc(MONDAY, 0, 30))
    week.command("/role", f"assign <@{SH}> product-manager")
    [deleted] = week.slack.calls_to(DELETE)  # the stale prompt, deleted in Slack
    assert deleted.args["scheduled_message_id"] == first["id"] and queued(week) == []
    assert occurrence(week).state == "pending"  # to be claimed again
    week.tick(utc(MONDAY, 0, 31))
    [again] = queued(week)
    assert len(week.slack.calls_to(SCHEDULE)) == 2
    assert occurrence(week).scheduled_message_id == again["id"]
    week.tick(PROMPT_AT)
    [prompt] = week.dms(SH)  # exactly one prompt, with the new role's questions
    assert PM_QUESTION in visible_text(prompt)
    assert deliveries_of(week, "standup_requeue") == [("sent", None)]
    modal = week.press_answer(SH, prompt)
    assert PM_QUESTION in json.dumps(modal, ensure_ascii=False)


def test_a_role_change_that_asks_the_same_questions_leaves_the_prompt(week: Week) -> None:
    week.tick(utc(MONDAY, 0))
    [held] = queued(week)
    week.at(utc(MONDAY, 0, 30))
    week.command("/role", f"backup <@{SH}> product-manager")  # a backup is not a holder
    week.command("/role", f"assign <@{NY}> tech-lead")  # someone else's roles
    assert week.slack.calls_to(DELETE) == [] and queued(week) == [held]
    week.tick(PROMPT_AT)
    assert len(week.dms(SH)) == 1 and len(week.slack.calls_to(SCHEDULE)) == 1


def test_a_role_change_before_the_scheduling_was_tried_schedules_the_new_questions_once(
    week: Week,
) -> None:
    week.at(utc(MONDAY, 0))
    run_due(week.app.d, week.app.bolt.client, utc(MONDAY, 0))  # claimed, not sent yet
    week.command("/role", f"assign <@{SH}> product-manager")  # its scheduling is dropped
    assert week.slack.calls_to(SCHEDULE) == [] and week.slack.calls_to(DELETE) == []
    week.tick(utc(MONDAY, 0, 1))
    [scheduled] = week.slack.calls_to(SCHEDULE)
    assert PM_QUESTION in json.dumps(scheduled.args["blocks"], ensure_ascii=False)
    week.tick(PROMPT_AT)
    [prompt] = week.dms(SH)
    assert PM_QUESTION in visible_text(prompt)


def test_a_role_change_after_slack_posted_the_prompt_keeps_that_one_prompt(week: Week) -> None:
    week.tick(utc(MONDAY, 0))
    week.slack.clock = lambda: week.time.seconds() + 3600  # Slack's clock runs an hour ahead
    week.at(utc(MONDAY, 0, 45))  # 01:45 for Slack: it has posted the prompt
    week.command("/role", f"assign <@{SH}> product-manager")
    assert len(week.slack.calls_to(DELETE)) == 1  # too late: invalid_scheduled_message_id
    assert deliveries_of(week, "standup_requeue") == [("skipped", "posted before the cancel")]
    row = occurrence(week)
    assert row.state == "prompted" and row.scheduled_message_id is not None
    week.tick(utc(MONDAY, 0, 46))
    week.tick(PROMPT_AT)
    [prompt] = week.dms(SH)  # no second prompt; its modal asks the new questions
    assert len(week.slack.calls_to(SCHEDULE)) == 1
    modal = week.press_answer(SH, prompt)
    assert PM_QUESTION in json.dumps(modal, ensure_ascii=False)
