"""The outbox and its dispatcher against the fake Web API, on SQLite and PostgreSQL: once
only, rolled back with its change, through 429 periods, 5xx answers and timeouts, failures
an admin can see and retry, ordered and coalesced updates, paced under Slack's limits."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import pytest

from bot.settings import Settings
from bot.slack_client import make_delivery_client
from domain.delivery import FAILED, SENT
from handlers.delivery import Dispatcher
from services import deliveries as outbox
from storage import deliveries
from storage.db import Database
from storage.models import OutboxDelivery
from tests.fake_slack import FakeSlack, FakeTime

TEAM = "T0001"


@pytest.fixture(autouse=True)
def _channels(slack: FakeSlack) -> None:
    """The channels these tests post to exist (the fake refuses unknown ones, as Slack does);
    C0GONE is left out on purpose."""
    names = ["C0BUSY", "C0OTHER", "C0OLD", *(f"C0ROOM{n}" for n in range(3))]
    for channel in [*names, *(f"C0FAN{n:02d}" for n in range(50))]:
        slack.add_channel(channel, channel.lower())


@pytest.fixture
def clock(slack: FakeSlack) -> FakeTime:
    """The dispatcher's and the fake's shared time: sleeping moves it at once."""
    time = FakeTime()
    slack.clock = time.seconds
    return time


def dispatcher(db: Database, settings: Settings, clock: FakeTime, **kw: object) -> Dispatcher:
    """A dispatcher whose client gives up after half a second (the timeout tests)."""
    client = make_delivery_client(settings, timeout=0.5)
    return Dispatcher(db, client, timer=clock, **kw)  # type: ignore[arg-type]


@pytest.fixture
def sender(db: Database, settings: Settings, clock: FakeTime) -> Iterator[Dispatcher]:
    """The dispatcher under test."""
    found = dispatcher(db, settings, clock)
    yield found
    found.stop()


def copies(slack: FakeSlack, *channels: str) -> Counter[str]:
    """How many messages carry each delivery key, in the given channels (threads too)."""
    found: Counter[str] = Counter()
    for channel in channels:
        for message in slack.messages(channel):
            meta = message.get("metadata") or {}
            if meta.get("event_type") == "rolecall_delivery":
                found[meta["event_payload"]["key"]] += 1
    return found


def stored(db: Database, key: str) -> OutboxDelivery:
    """A delivery as the store has it."""
    with db.begin() as session:
        row = deliveries.get(session, TEAM, key)
        assert row is not None
        return row


def post_many(db: Database, now: datetime, keys: list[str], channel: str = "C0SUPPORT") -> None:
    """Enqueue one post per key, in one transaction."""
    with db.begin() as session:
        for key in keys:
            assert outbox.post(session, TEAM, key, channel, f"message {key}", now=now)


def test_a_delivery_is_recorded_once_and_rolls_back_with_its_change(
    db: Database, slack: FakeSlack, clock: FakeTime, sender: Dispatcher
) -> None:
    with db.begin() as session:
        assert outbox.post(session, TEAM, "hello", "C0GENERAL", "hello", now=clock.now())
        assert not outbox.post(session, TEAM, "hello", "C0GENERAL", "again", now=clock.now())
    with pytest.raises(RuntimeError), db.begin() as session:
        outbox.post(session, TEAM, "undone", "C0GENERAL", "never", now=clock.now())
        raise RuntimeError("the change failed")
    assert sender.drain() == 0
    assert copies(slack, "C0GENERAL") == {"hello": 1}
    assert [m["text"] for m in slack.messages("C0GENERAL")] == ["hello"]
    done = stored(db, "hello")
    assert done.state == SENT and done.result_channel == "C0GENERAL" and done.result_ts


def test_a_30s_429_period_delays_every_delivery_and_loses_none(
    db: Database, slack: FakeSlack, clock: FakeTime, sender: Dispatcher
) -> None:
    slack.rate_limit_for("chat.postMessage", 30)
    keys = [f"card-{n}" for n in range(10)]
    post_many(db, clock.now(), keys)
    assert sender.drain(deadline=600) == 0
    assert copies(slack, "C0SUPPORT") == dict.fromkeys(keys, 1)
    assert clock.slept >= 30  # nothing went before the period ended
    assert 1 <= slack.rate_limited <= sender.workers  # the first tries, then a pause


def test_ten_percent_5xx_loses_and_doubles_nothing(
    db: Database, slack: FakeSlack, clock: FakeTime, sender: Dispatcher
) -> None:
    people = [f"UPERSON{n:03d}" for n in range(30)]
    for person in people:
        slack.add_user(person, person.lower())
    slack.fail_randomly("chat.postMessage", 0.1, seed=8)  # half before, half after posting
    with db.begin() as session:
        for n in range(30):
            outbox.post(session, TEAM, f"post-{n}", f"C0ROOM{n % 3}", f"n{n}", now=clock.now())
        for person in people:
            outbox.dm(session, TEAM, f"dm-{person}", person, "hi", now=clock.now())
    assert sender.drain(deadline=3600) == 0
    posted = copies(slack, "C0ROOM0", "C0ROOM1", "C0ROOM2", *(f"D{p}" for p in people))
    assert posted == {**{f"post-{n}": 1 for n in range(30)}, **{f"dm-{p}": 1 for p in people}}
    assert len(slack.failed_calls) >= 3  # the faults did happen
    assert slack.calls_to("conversations.history")  # and ambiguous ones were looked for


def test_a_timeout_after_posting_is_adopted_not_posted_again(
    db: Database, slack: FakeSlack, clock: FakeTime, sender: Dispatcher
) -> None:
    slack.delay_after_posting("chat.postMessage", 1.0, times=2)  # the client waits 0.5 s
    with db.begin() as session:
        outbox.post(session, TEAM, "card", "C0SUPPORT", "a card", now=clock.now())
        outbox.dm(session, TEAM, "note", "UBOB", "a note", now=clock.now())
    assert sender.drain() == 0
    assert copies(slack, "C0SUPPORT", "DUBOB") == {"card": 1, "note": 1}
    assert len(slack.calls_to("chat.postMessage")) == 2  # each posted once, never again
    card = stored(db, "card")
    assert card.state == SENT and card.result_ts == slack.messages("C0SUPPORT")[0]["ts"]
    assert stored(db, "note").result_channel == "DUBOB"


def test_a_5xx_before_posting_is_retried_with_backoff(
    db: Database, slack: FakeSlack, clock: FakeTime, sender: Dispatcher
) -> None:
    slack.fail_next("chat.postMessage", status=503, times=3)
    post_many(db, clock.now(), ["retried"])
    assert sender.drain(deadline=600) == 0
    assert copies(slack, "C0SUPPORT") == {"retried": 1}
    assert stored(db, "retried").attempts == 4
    assert 1.5 <= clock.slept <= 7  # backoff: about 0.75 + 1.5 + 3 s, jittered


def test_a_permanent_error_fails_once_with_its_reason_and_can_be_retried(
    db: Database,
    slack: FakeSlack,
    clock: FakeTime,
    sender: Dispatcher,
    caplog: pytest.LogCaptureFixture,
) -> None:
    post_many(db, clock.now(), ["lost-1", "lost-2"], channel="C0GONE")  # no such channel
    with caplog.at_level(logging.WARNING, logger="handlers.delivery.dispatcher"):
        assert sender.drain() == 0
    assert len(slack.calls_to("chat.postMessage")) == 2  # not retried
    assert stored(db, "lost-1").state == FAILED
    with db.begin() as session:
        failed = outbox.failures(session, TEAM)
        assert [(f.target, f.reason) for f in failed] == [("C0GONE", "channel_not_found")] * 2
        assert outbox.failure_count(session, TEAM) == 2
    logged = [r for r in caplog.records if "channel_not_found" in r.getMessage()]
    assert len(logged) == 1  # once per cause, not once per message
    slack.add_channel("C0GONE", "gone")  # the admin fixed the channel
    with db.begin() as session:
        assert outbox.retry_failed(session, TEAM) == 2
    assert sender.drain() == 0
    assert copies(slack, "C0GONE") == {"lost-1": 1, "lost-2": 1}


def test_updates_of_one_message_wait_for_its_post_go_in_order_and_coalesce(
    db: Database, slack: FakeSlack, clock: FakeTime, sender: Dispatcher
) -> None:
    slack.fail_next("chat.postMessage", status=500)  # the post is late: the rest waits
    now = clock.now()
    with db.begin() as session:
        outbox.post(session, TEAM, "p", "C0SUPPORT", "v0", now=now, chain="c")
        for version in (1, 2, 3):
            outbox.update(
                session, TEAM, f"u{version}", f"v{version}", now=now,
                anchor="p", chain="c", coalesce_key="card:p",
            )  # fmt: skip
        outbox.post(session, TEAM, "r", "C0SUPPORT", "a reply", now=now, anchor="p", chain="c")
    assert sender.drain(deadline=600) == 0
    updates = slack.calls_to("chat.update")
    assert [call.args["text"] for call in updates] == ["v3"]  # one update, the latest
    assert [stored(db, key).state for key in ("u1", "u2")] == ["superseded"] * 2
    card, reply = slack.messages("C0SUPPORT")
    assert card["text"] == "v3" and reply["thread_ts"] == card["ts"]
    with db.begin() as session:  # a change after the update went: sent in its turn
        outbox.update(
            session, TEAM, "u4", "v4", now=now, anchor="p", chain="c", coalesce_key="card:p"
        )
    sender.drain()
    assert slack.messages("C0SUPPORT")[0]["text"] == "v4"
    assert len(slack.calls_to("chat.update")) == 2


def test_a_failed_post_fails_what_is_anchored_to_it(
    db: Database, slack: FakeSlack, clock: FakeTime, sender: Dispatcher
) -> None:
    slack.refuse_next("chat.postMessage", "is_archived")
    with db.begin() as session:
        outbox.post(session, TEAM, "p", "C0OLD", "v0", now=clock.now(), chain="c")
        outbox.update(session, TEAM, "u", "v1", now=clock.now(), anchor="p", chain="c")
    assert sender.drain() == 0
    assert stored(db, "p").last_error == "is_archived"
    assert stored(db, "u").last_error == "anchor_failed: p"
    assert slack.calls_to("chat.update") == []


def test_pacing_stays_under_slacks_limits(
    db: Database, slack: FakeSlack, clock: FakeTime, sender: Dispatcher
) -> None:
    slack.enforce_rate("chat.postMessage", workspace=(3.5, 25), channel=(1.0, 5))
    post_many(db, clock.now(), [f"busy-{n}" for n in range(20)], channel="C0BUSY")
    post_many(db, clock.now(), [f"other-{n}" for n in range(40)], channel="C0OTHER")
    assert sender.drain(deadline=600) == 0
    assert slack.rate_limited == 0  # never over the limit
    assert len(copies(slack, "C0BUSY", "C0OTHER")) == 60
    floor = (40 - 5) / 1.0  # C0OTHER: a burst of 5, then one a second
    assert floor <= clock.slept <= floor / 0.97 + 2


def test_two_dispatchers_on_one_postgresql_database_send_each_delivery_once(
    db: Database, slack: FakeSlack, clock: FakeTime, settings: Settings
) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("replicas share PostgreSQL; SQLite has one process")
    keys = [f"fan-{n}" for n in range(200)]
    with db.begin() as session:
        for n, key in enumerate(keys):
            outbox.post(session, TEAM, key, f"C0FAN{n % 50:02d}", key, now=clock.now())
    replicas = [Database(db.url), Database(db.url)]
    senders = [dispatcher(replica, settings, clock) for replica in replicas]
    threads = [threading.Thread(target=s.drain, kwargs={"deadline": 600}) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for found, replica in zip(senders, replicas, strict=True):
        found.stop()
        replica.dispose()
    posted = copies(slack, *(f"C0FAN{n:02d}" for n in range(50)))
    assert posted == dict.fromkeys(keys, 1)
    assert len(slack.calls_to("chat.postMessage")) == 200
    assert all(found.sent > 0 for found in senders) and sum(s.sent for s in senders) == 200
