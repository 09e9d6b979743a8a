"""A dispatcher killed (SIGKILL) with deliveries pending and one posted but not recorded:
the next one sends everything, each exactly once (the posted one is found and adopted).

The killed process runs this module as a script (`python -m tests.test_delivery_kill`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from bot.settings import Settings
from bot.slack_client import make_delivery_client
from domain.delivery import SENT
from handlers.delivery import Dispatcher
from services import deliveries as outbox
from storage.db import Database
from storage.models import OutboxDelivery
from tests.fake_slack import FakeSlack, FakeTime

ROOT = Path(__file__).resolve().parent.parent
LEASE = 1.0  # seconds: PostgreSQL replicas take a dead one's rows when its lease runs out


def test_a_killed_dispatcher_loses_nothing_and_doubles_nothing(
    db: Database, slack: FakeSlack, settings: Settings
) -> None:
    people = [f"UKILL{n:02d}" for n in range(20)]
    for person in people:
        slack.add_user(person, person.lower())
    with db.begin() as session:
        for person in people:
            outbox.dm(session, "T0001", f"dm-{person}", person, "hello", now=FakeTime().now())
    held = slack.hold_after("chat.postMessage", 8)  # the 8th is posted, then never answered
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.test_delivery_kill", db.url, slack.api_url],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        reached = held.wait(timeout=20)  # a loaded machine starts Python slowly
    finally:
        os.kill(child.pid, signal.SIGKILL)
        _, errors = child.communicate(timeout=5)
    assert reached, f"the child never reached the 8th post: {errors.decode()[-2000:]}"
    restarted = Dispatcher(db, make_delivery_client(settings), poll=0.1)
    try:
        restarted.recover()  # SQLite: the dead process's claims come back at once
        assert restarted.drain(deadline=8) == 0
    finally:
        restarted.stop()
    for person in people:
        [message] = slack.messages(f"D{person}")
        assert message["metadata"]["event_payload"]["key"] == f"dm-{person}"
    assert len(slack.calls_to("chat.postMessage")) == len(people)  # none posted twice
    with db.begin() as session:
        assert {row.state for row in session.query(OutboxDelivery)} == {SENT}


def _serve(db_url: str, api_url: str) -> None:
    """The process that gets killed: a dispatcher sending from its own thread."""
    settings = Settings(slack_bot_token="xoxb-test", slack_api_url=api_url)
    client = make_delivery_client(settings)
    Dispatcher(Database(db_url), client, lease=timedelta(seconds=LEASE), poll=0.1).start()
    threading.Event().wait()


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2])
