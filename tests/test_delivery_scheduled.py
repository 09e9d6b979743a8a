"""Scheduled DMs through the dispatcher: a claimer that died after Slack scheduled the
message (its lease ran out) leaves a delivery the next dispatcher adopts, never doubles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.settings import Settings
from bot.slack_client import make_delivery_client
from domain.delivery import DEFAULT_LIMITS, DM, PACING_MARGIN, SCHEDULE
from handlers.delivery import Dispatcher
from services import deliveries as outbox
from storage import deliveries
from storage.db import Database
from tests.fake_slack import FakeSlack, FakeTime

TEAM, USER = "T0001", "ULATE"


def test_a_scheduling_whose_claimer_died_is_adopted_not_doubled(
    db: Database, slack: FakeSlack, settings: Settings
) -> None:
    slack.add_user(USER, "late")
    time = FakeTime()
    slack.clock = time.seconds
    post_at = time.now() + timedelta(hours=1)
    dm = outbox.ScheduledDm("prompt-1", USER, "your standup", post_at)
    with db.begin() as session:
        outbox.schedule_dms(session, TEAM, [dm], now=time.now(), kind="prompt")
    with db.begin() as session:  # a dispatcher claims it, then dies (its lease runs out)
        [claimed] = deliveries.claim_due(
            session,
            time.now(),
            claimer="dead",
            lease_until=time.now() - timedelta(seconds=1),
            limit=5,
        )
    client = make_delivery_client(settings)
    answer = client.api_call(  # ... after its call reached Slack
        SCHEDULE,
        json={"channel": USER, "text": "your standup", "post_at": int(post_at.timestamp())},
    )
    restarted = Dispatcher(db, client, timer=time, poll=0.1)
    try:
        assert restarted.drain(deadline=60) == 0
    finally:
        restarted.stop()
    [held] = slack.scheduled(f"D{USER}")
    assert held["id"] == answer["scheduled_message_id"]
    assert len(slack.calls_to(SCHEDULE)) == 1  # only the dead dispatcher's
    with db.begin() as session:
        row = deliveries.get(session, TEAM, "prompt-1")
        assert row is not None and row.state == "sent"
        assert row.payload["scheduled_message_id"] == held["id"]


def test_schedulings_are_spaced_at_the_pacers_rate_behind_those_queued(db: Database) -> None:
    now = datetime(2026, 3, 9, tzinfo=UTC)
    gap = 1 / (DEFAULT_LIMITS[SCHEDULE].workspace.rate * PACING_MARGIN)

    def prompt(key: str, ahead: timedelta = timedelta(hours=2)) -> outbox.ScheduledDm:
        return outbox.ScheduledDm(key, USER, "your standup", now + ahead)

    near = prompt("near", timedelta(seconds=30))  # too near to schedule: a DM at its time
    with db.begin() as session:
        made = outbox.schedule_dms(
            session, TEAM, [prompt("a"), near, prompt("b")], now=now, kind="p"
        )
        assert made == 3
    with db.begin() as session:  # claimed again: the two queued are kept, and keep their places
        made = outbox.schedule_dms(
            session, TEAM, [prompt("a"), prompt("b"), prompt("c")], now=now, kind="p"
        )
        assert made == 1
    with db.begin() as session:
        rows = {key: deliveries.get(session, TEAM, key) for key in ("a", "b", "c", "near")}
        placed = {
            key: (row.method, ((row.next_attempt_at or now) - now).total_seconds())
            for key, row in rows.items()
            if row is not None
        }
    assert placed["near"] == (DM, 30.0)
    assert placed["a"] == (SCHEDULE, 0.0)
    assert placed["b"] == (SCHEDULE, pytest.approx(gap))
    assert placed["c"] == (SCHEDULE, pytest.approx(2 * gap))
