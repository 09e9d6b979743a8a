"""Standups through the real app: commands over signed HTTP, the due work at explicit
instants (`run_due`, as `rolecall tick --at` runs it), the outbox drained against the fake
Slack, DMs, modals, the digest and its thread as people see them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.scheduler import run_due
from bot.slack_client import make_delivery_client
from handlers.delivery import Dispatcher
from handlers.standup_blocks import ANSWER, ANSWER_VIEW
from handlers.standup_jobs import standup_kinds
from slack_emulator import payloads
from tests.fake_slack import FakeTime
from tests.harness import Harness, Reply, visible_text
from tests.services_fixtures import profile

TEAM, CHANNEL = "T0001", "C0GENERAL"
SH, NY = "USH", "UNY"  # a tech lead in Shanghai (Chinese), a product manager in New York
MONDAY = datetime(2026, 3, 9, tzinfo=UTC)  # New York is on daylight time since Sunday


def utc(day: datetime, hour: int, minute: int = 0) -> datetime:
    """An instant on `day`, in UTC."""
    return day.replace(hour=hour, minute=minute)


class Time(FakeTime):
    """The dispatcher's fake time, moved to each tick's instant."""

    def to(self, at: datetime) -> None:
        """Jump to `at` (never back)."""
        with self._moving:
            self._at = max(self._at, at)


class Week:
    """The app, a dispatcher on fake time, and a team in two zones."""

    def __init__(self, app: Harness) -> None:
        self.app, self.slack = app, app.slack
        self.time = Time(MONDAY)
        self.slack.clock = self.time.seconds
        client = make_delivery_client(app.settings, timeout=0.5)
        self.sender = Dispatcher(app.db, client, timer=self.time, kinds=standup_kinds())

    def person(self, user: str, tz: str, locale: str, role: str) -> None:
        """Someone Slack knows (zone, language), cached, given a role by the admin."""
        self.slack.add_user(user, user.lower(), tz=tz, locale=locale)
        with self.app.db.begin() as session:
            profile(
                session,
                user,
                team=TEAM,
                tz=tz,
                locale=locale,
                fetched_at=MONDAY + timedelta(days=30),
            )
        self.command("/role", f"assign <@{user}> {role}")

    def at(self, instant: datetime) -> None:
        """Move every clock to `instant`."""
        self.app.clock.set(instant)
        self.time.to(instant)

    def command(self, command: str, text: str = "", user: str = "UADMIN") -> Reply:
        """A slash command, its deliveries sent."""
        reply = self.app.command(command, text, user=user)
        self.send()
        return reply

    def tick(self, instant: datetime) -> int:
        """`rolecall tick --at instant`: the due work, then its deliveries sent."""
        self.at(instant)
        made = run_due(self.app.d, self.app.bolt.client, instant)["run_standups"]
        self.send()
        return made

    def send(self) -> None:
        """Drain the outbox."""
        assert self.sender.drain(deadline=3600) == 0

    def dms(self, user: str) -> list[dict[str, Any]]:
        """The app's DMs to `user`."""
        return self.slack.messages(f"D{user}")

    def channel(self) -> list[dict[str, Any]]:
        """Top-level messages of the digest channel."""
        return [m for m in self.slack.messages(CHANNEL) if m.get("thread_ts") in (None, m["ts"])]

    def thread(self, ts: str) -> list[dict[str, Any]]:
        """Replies in a thread of the digest channel."""
        return [
            m for m in self.slack.messages(CHANNEL) if m.get("thread_ts") == ts and m["ts"] != ts
        ]

    def press_answer(self, user: str, prompt: dict[str, Any]) -> dict[str, Any]:
        """Press the first button of a DM (the prompt's, or the reminder's) as Slack sends
        the click: the message it is on, its block; returns the modal Slack opened."""
        block, button = next(
            (b, e)
            for b in prompt["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["type"] == "button"
        )
        assert button["action_id"] == ANSWER
        before = len(self.slack.calls_to("views.open"))
        self.app.action(
            ANSWER,
            button["value"],
            user=user,
            channel=f"D{user}",
            message=prompt,
            block_id=block.get("block_id", "b"),
        )
        self.send()
        opened = self.slack.calls_to("views.open")
        assert len(opened) == before + 1
        return dict(opened[-1].args["view"])

    def submit(self, user: str, view: dict[str, Any], answers: dict[str, str]) -> Reply:
        """Fill the modal's inputs in order (done, planned, blockers…) and submit it."""
        inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
        values = {
            block: {"a": {"type": "plain_text_input", "value": answers.get(block, "")}}
            for block in inputs
        }
        body = payloads.view_submission(
            team_id=TEAM,
            user_id=user,
            user_name=user.lower(),
            callback_id=ANSWER_VIEW,
            values=values,
            private_metadata=view["private_metadata"],
        )
        reply = self.app.post(body, "application/x-www-form-urlencoded")
        self.app.settle()
        self.send()
        return reply


@pytest.fixture
def week(app: Harness) -> Iterator[Week]:
    """A standup at 09:30 on weekdays in #general for a tech lead and a product manager."""
    found = Week(app)
    found.at(MONDAY - timedelta(days=1))
    found.person(SH, "Asia/Shanghai", "zh-CN", "tech-lead")
    found.person(NY, "America/New_York", "en-US", "product-manager")
    reply = found.command("/standup", f"schedule all weekdays 09:30 <#{CHANNEL}|general>")
    assert "#1" in reply.text, reply.text
    yield found
    found.sender.stop()


def fields(view: dict[str, Any]) -> list[str]:
    """The modal's input block ids, in order."""
    return [b["block_id"] for b in view["blocks"] if b["type"] == "input"]


def by_purpose(view: dict[str, Any], done: str, planned: str, blockers: str) -> dict[str, str]:
    """Answers for the modal's first three inputs (Rolecall's done / planned / blockers are
    the role's questions in catalogue order; the blocker question is the one so labelled)."""
    ids = fields(view)
    labels = {b["block_id"]: b["label"]["text"] for b in view["blocks"] if b["type"] == "input"}
    blocker = next(
        (i for i in ids if any(w in labels[i].lower() for w in ("block", "阻", "卡"))), ids[-1]
    )
    rest = [i for i in ids if i != blocker]
    return {rest[0]: done, rest[1] if len(rest) > 1 else rest[0]: planned, blocker: blockers}


def test_a_day_across_shanghai_and_new_york(week: Week) -> None:
    # 01:30 UTC is 09:30 in Shanghai: the tech lead is prompted (in Chinese) and the digest
    # opens; New York is still asleep.
    week.tick(utc(MONDAY, 1, 29))
    assert week.dms(SH) == []
    week.tick(utc(MONDAY, 1, 30))
    [prompt] = week.dms(SH)
    assert "站会" in visible_text(prompt) and week.dms(NY) == []
    [digest] = week.channel()
    assert "0 of 1" in digest["text"]  # New York's part is planned when its day comes
    # The tech lead answers through the DM's button; the blocker names the product manager.
    modal = week.press_answer(SH, prompt)
    assert modal["callback_id"] == ANSWER_VIEW
    answers = by_purpose(modal, "shipped the cache", "review the API", "waiting on product manager")
    saved = week.submit(SH, modal, answers)
    assert saved.json.get("response_action") == "update", saved.raw
    [digest] = week.channel()
    assert "1 of 1" in digest["text"]
    shown = visible_text(digest)
    assert "waiting on product manager" in shown and f"<@{NY}>" in shown  # routed, mentioned
    [reply] = week.thread(digest["ts"])
    assert "shipped the cache" in visible_text(reply)
    [notice] = week.dms(NY)  # the product manager is told once
    assert f"<@{SH}>" in notice["text"] and "waiting on product manager" in notice["text"]
    # An edit replaces the reply in place and tells nobody twice.
    modal = week.press_answer(SH, prompt)
    assert any(
        b.get("element", {}).get("initial_value") == "shipped the cache" for b in modal["blocks"]
    )
    answers = by_purpose(
        modal, "shipped the cache and docs", "review", "waiting on product manager"
    )
    week.submit(SH, modal, answers)
    [reply] = week.thread(digest["ts"])
    assert "shipped the cache and docs" in visible_text(reply)
    assert len(week.dms(NY)) == 1
    # 13:30 UTC is 09:30 in New York (daylight time): the product manager is prompted.
    week.tick(utc(MONDAY, 13, 30))
    assert len(week.dms(NY)) == 2 and "Standup" in week.dms(NY)[-1]["text"]
    # One reminder an hour before the cut-off, never a second.
    week.tick(utc(MONDAY, 16, 30))
    week.tick(utc(MONDAY, 16, 45))
    reminders = [m for m in week.dms(NY) if "Reminder" in m["text"]]
    assert len(reminders) == 1
    assert not [m for m in week.dms(SH) if "提醒：" in m["text"]]  # answered: not reminded
    # 17:30 UTC: New York's cut-off, the latest: the digest is final, in place.
    week.tick(utc(MONDAY, 17, 30))
    [digest] = week.channel()
    final = visible_text(digest)
    assert "(final)" in final and "1 of 2" in final
    assert final.index("Blockers") < final.index("Did not answer")
    assert f"Did not answer: <@{NY}>" in final
    # Saturday: nobody is prompted.
    before = (len(week.dms(SH)), len(week.dms(NY)))
    saturday = MONDAY + timedelta(days=5)
    for hour in (1, 2, 13, 14, 18):
        week.tick(utc(saturday, hour, 30))
    assert (len(week.dms(SH)), len(week.dms(NY))) == before


def test_double_tick_and_a_5xx_storm_send_each_prompt_once(week: Week) -> None:
    week.slack.fail_randomly("chat.postMessage", 0.3, status=500, seed=7)
    for _ in range(3):
        week.tick(utc(MONDAY, 1, 30))
    week.tick(utc(MONDAY, 13, 30))
    week.tick(utc(MONDAY, 13, 30))
    assert len(week.dms(SH)) == 1 and len(week.dms(NY)) == 1
    assert len(week.channel()) == 1


def test_away_skip_pause_and_a_role_change_between_occurrences(week: Week) -> None:
    week.at(utc(MONDAY, 0))
    week.command("/role", "away me until 2026-03-09", user=NY)
    week.tick(utc(MONDAY, 13, 30))
    assert week.dms(NY) == []
    week.tick(utc(MONDAY, 17, 30))
    [digest] = week.channel()
    assert f"<@{NY}> (away)" in visible_text(digest)
    # Tuesday: the tech lead skips today; the PM loses the role; a new PM is prompted.
    tuesday = MONDAY + timedelta(days=1)
    week.at(utc(tuesday, 0))
    assert "2026-03-10" in week.command("/standup", "skip today", user=SH).text
    week.command("/role", f"unassign <@{NY}> product-manager")
    week.person("UPM2", "America/New_York", "en-US", "product-manager")
    week.tick(utc(tuesday, 1, 30))
    week.tick(utc(tuesday, 13, 30))
    assert week.dms(SH) == [] and week.dms(NY) == [] and len(week.dms("UPM2")) == 1
    # Wednesday: paused, then resumed for Thursday.
    week.at(utc(tuesday, 20))
    week.command("/standup", "pause", user=SH)
    week.tick(utc(tuesday + timedelta(days=1), 1, 30))
    assert week.dms(SH) == []
    week.command("/standup", "resume", user=SH)
    week.tick(utc(tuesday + timedelta(days=2), 1, 30))
    assert len(week.dms(SH)) == 1


def test_no_text_opens_the_modal_only_while_an_occurrence_is_open(week: Week) -> None:
    week.at(utc(MONDAY, 1))
    closed = week.command("/standup", "", user=SH)
    assert "没有" in closed.text  # none open yet, said in Chinese
    week.tick(utc(MONDAY, 1, 30))
    week.command("/standup", "", user=SH)
    [opened] = week.slack.calls_to("views.open")
    assert opened.args["view"]["callback_id"] == ANSWER_VIEW
    assert json.loads(opened.args["view"]["private_metadata"])["occurrence"]
    # After the cut-off, a submission is refused on the modal.
    week.at(utc(MONDAY, 6))
    late = week.submit(SH, dict(opened.args["view"]), {})
    assert late.json.get("response_action") == "errors"


def test_schedule_commands_are_admin_only_and_listed(week: Week) -> None:
    refused = week.command("/standup", f"schedule all daily 10:00 <#{CHANNEL}>", user=SH)
    assert "#2" not in refused.text
    listed = week.command("/standup", "schedules")
    assert "#1" in listed.text and "09:30" in listed.text
    assert "#2" in week.command("/progress", f"schedule all fri 16:00 <#{CHANNEL}>").text
    assert "removed" in week.command("/standup", "unschedule 1").text
    assert "No standup" in week.command("/standup", "schedules").text
    assert "/standup schedule" in week.command("/standup", "help").text
    assert "/standup" in week.command("/standup", "frobnicate").text


def test_holidays_skip_public_holidays(week: Week) -> None:
    assert "CN" in week.command("/standup", "holidays CN").text
    national_day = datetime(2026, 10, 1, tzinfo=UTC)  # a Thursday, a holiday in China
    week.tick(utc(national_day, 1, 30))
    assert week.dms(SH) == []
    week.tick(utc(national_day + timedelta(days=8), 1, 30))  # Friday 9 October: a workday
    assert len(week.dms(SH)) == 1


def test_the_weekly_update_is_prefilled_with_the_week_and_supports_queue(week: Week) -> None:
    week.person("USUP", "America/New_York", "en-US", "customer-support")
    week.command("/progress", f"schedule customer-support fri 16:00 <#{CHANNEL}>")
    week.at(utc(MONDAY, 12))
    week.command("/issue", "[urgent] export crashes", user="UALICE")
    week.tick(utc(MONDAY, 13, 30))
    [prompt] = week.dms("USUP")
    modal = week.press_answer("USUP", prompt)
    week.submit("USUP", modal, by_purpose(modal, "answered 12 tickets", "triage", ""))
    friday = MONDAY + timedelta(days=4)
    week.tick(utc(friday, 20))  # 16:00 in New York
    week.command("/progress", "", user="USUP")
    view = week.slack.calls_to("views.open")[-1].args["view"]
    shown = json.dumps(view)
    assert "answered 12 tickets" in shown  # from Monday's standup
    assert "Support queue" in shown and "1" in shown


def test_app_home_shows_the_next_prompt(week: Week) -> None:
    week.at(utc(MONDAY, 0))
    week.app.event(payloads.app_home_opened(user_id=SH))
    view = week.slack.home_view(SH)
    assert view is not None
    assert "#1" in visible_text({"blocks": view["blocks"]})


def test_a_blocker_repeated_the_next_day_is_carried_over_and_told_once(week: Week) -> None:
    for day in (MONDAY, MONDAY + timedelta(days=1)):
        week.tick(utc(day, 1, 30))
        prompt = week.dms(SH)[-1]
        modal = week.press_answer(SH, prompt)
        week.submit(SH, modal, by_purpose(modal, "work", "more work", "需要产品经理确认需求"))
    tuesday = week.channel()[-1]
    shown = visible_text(tuesday)
    assert "需要产品经理确认需求" in shown and f"<@{NY}>" in shown  # routed by the Chinese name
    assert "(carried over, 1 d)" in shown
    notices = [m for m in week.dms(NY) if "需要产品经理确认需求" in m["text"]]
    assert len(notices) == 1


def test_refused_and_bad_input_say_why(week: Week) -> None:
    refused = week.command("/standup", f"schedule all daily 10:00 <#{CHANNEL}>", user=SH)
    assert "#2" not in refused.text and refused.text
    assert "/standup" in week.command("/standup", "schedule tech-lead someday 25:00 #x").text
    assert "/standup" in week.command("/standup", "skip until yesterday", user=SH).text
    assert "/standup" in week.command("/standup", "report @nobody", user=SH).text
