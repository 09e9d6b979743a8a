"""A standup to N participants in one time zone, scheduled ahead: how late is the latest
prompt after its local time?

Run by hand (not part of the test suite):

    .venv/bin/python -m bench.standup_scheduled [--people 5000] [--fail 0.05] [--ahead 240]
                                                [--db URL]

Runs `rolecall serve`'s loop on a virtual clock: the due work (`run_standups`) every minute
from `--ahead` minutes before the prompts' local time until 30 minutes after, and between
ticks the dispatcher (its own pacer, on the same clock) against a fake Slack enforcing
Slack's rates: chat.scheduleMessage and the lookups Tier 3 (~50 a minute a workspace),
chat.postMessage ~3.5/s a workspace and 1/s a channel. A sleep moves the clock, so 100
minutes of pacing take a minute or two of real time.

A prompt scheduled in Slack posts at its post_at (Slack refuses one in the past, so it was
on time); one posted directly is as late as its chat.postMessage. Reports the latest
prompt's delay after its local time (goal ≤ 60 s), how many were scheduled (and how long
before their time the last scheduling was done: the horizon's spare) and how many posted
directly, and duplicates and losses (with `--fail`, that fraction of scheduleMessage
and postMessage calls fail with a 500, half of them after Slack did the work).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select

from bench.standup_fanout import AT, TEAM, _seed
from bot.settings import DEFAULT_CATALOG, Settings
from bot.slack_client import make_delivery_client
from domain.catalog import load_catalog
from domain.delivery import DEFAULT_LIMITS, POST, SCHEDULE
from handlers.background import Background
from handlers.clock import Clock
from handlers.delivery import Dispatcher, Pacer
from handlers.deps import Deps
from handlers.standup_blocks import prompt_block_id
from handlers.standup_jobs import PROMPT, run_standups, standup_kinds
from services.standup_schedules import add_schedule
from storage import deliveries
from storage.db import Database
from storage.models import OutboxDelivery, PromptOccurrence
from tests.fake_slack import FakeSlack, FakeTime

TIER3 = ("conversations.open", "conversations.history", "chat.scheduledMessages.list")


class Virtual(FakeTime):
    """The dispatcher's clock, also moved by the loop from one tick to the next."""

    def to(self, at: datetime) -> None:
        """Jump to `at` (never back)."""
        with self._moving:
            self._at = max(self._at, at)


def _fake_slack(people: list[str], fail: float, clock: Virtual) -> FakeSlack:
    slack = FakeSlack(team_id=TEAM).start()
    slack.clock = clock.seconds  # rates and scheduled messages on the virtual clock
    slack.add_channel("C0GEN", "general")
    for person in people:
        slack.add_user(person, person.lower(), tz="Asia/Shanghai")
    for method, limits in DEFAULT_LIMITS.items():
        if method in (POST, SCHEDULE, *TIER3):
            channel = limits.channel
            slack.enforce_rate(
                method,
                workspace=(limits.workspace.rate, limits.workspace.burst),
                channel=(channel.rate, channel.burst) if channel else None,
            )
    if fail:
        slack.fail_randomly(POST, fail, seed=11)
        slack.fail_randomly(SCHEDULE, fail, seed=12)
    return slack


def run(n: int, fail: float, ahead: int, db_url: str) -> dict[str, float]:
    """One standup scheduled ahead; returns its figures."""
    people = [f"UP{k:05d}" for k in range(n)]
    start = AT - timedelta(minutes=ahead)
    clock = Virtual(start)
    slack = _fake_slack(people, fail, clock)
    db = Database(db_url)
    db.upgrade()
    settings = Settings(slack_bot_token="xoxb-bench", slack_api_url=slack.api_url)
    catalog = load_catalog(Path(DEFAULT_CATALOG))
    _seed(db, people)
    with db.begin() as session:
        add_schedule(session, TEAM, catalog, "standup", "all daily 09:30 <#C0GEN>", "UADMIN", start)
    deps = Deps(settings, db, catalog, Clock(), Background(), cast(Any, None))
    sender = Dispatcher(
        db, make_delivery_client(settings), kinds=standup_kinds(), pacer=Pacer(), timer=clock
    )
    began = time.monotonic()
    minute = start
    while minute <= AT + timedelta(minutes=30):
        clock.to(minute)
        deps.clock.set(clock.now())
        run_standups(deps, cast(Any, None), clock.now())
        sender.drain(deadline=(minute + timedelta(minutes=1) - clock.now()).total_seconds())
        minute += timedelta(minutes=1)
    took = time.monotonic() - began
    sender.stop()
    figures = _count(db, slack, people)
    with db.begin() as session:
        figures["open"] = deliveries.open_count(session, TEAM)
        figures["failed"] = deliveries.failed_count(session, TEAM)
    figures["real_seconds"] = took
    figures["injected"] = len(slack.failed_calls)
    figures["rate_limited"] = slack.rate_limited
    slack.stop()
    db.dispose()
    return figures


def _count(db: Database, slack: FakeSlack, people: list[str]) -> dict[str, float]:
    """Each prompt's delay (scheduled: 0, Slack posted it at post_at; direct: its send
    after post_at), and the copies in each person's DM, found by the prompt's block."""
    delays: list[float] = []
    margins: list[float] = []  # how long before its time each scheduling was done
    scheduled = direct = 0
    with db.begin() as session:
        rows = session.scalars(select(OutboxDelivery).where(OutboxDelivery.kind == PROMPT))
        for row in rows:
            if row.sent_at is None:
                continue
            post_at = float(row.payload["post_at"])
            sent = row.sent_at.replace(tzinfo=row.sent_at.tzinfo or UTC).timestamp()
            if row.payload.get("scheduled_message_id"):
                scheduled += 1
                delays.append(0.0)
                margins.append(post_at - sent)
            else:
                direct += 1
                delays.append(max(sent - post_at, 0.0))
        occurrences = {
            o.user_id: o.id
            for o in session.scalars(
                select(PromptOccurrence).where(PromptOccurrence.team_id == TEAM)
            )
        }
    copies: Counter[str] = Counter()
    for person in people:
        block = prompt_block_id(occurrences.get(person, -1))
        for message in slack.messages(f"D{person}"):
            if any(b.get("block_id") == block for b in message.get("blocks") or []):
                copies[person] += 1
    return {
        "latest": max(delays, default=0.0),
        "margin": min(margins, default=0.0),
        "scheduled": scheduled,
        "direct": direct,
        "duplicates": sum(c - 1 for c in copies.values() if c > 1),
        "losses": len(people) - len(copies),
    }


def main() -> None:
    """Parse arguments, run, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--fail", type=float, default=0.0, help="fraction of calls failing")
    parser.add_argument(
        "--ahead", type=int, default=240, help="minutes before the prompts the ticks start"
    )
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        f = run(args.people, args.fail, args.ahead, url)
    print(
        f"standup to {args.people} in one zone, ticking from {args.ahead} min ahead, "
        f"{args.fail:.0%} 5xx: latest prompt {f['latest']:.0f} s after its local time "
        f"({f['scheduled']:.0f} scheduled, the last {f['margin'] / 60:.0f} min before its time; "
        f"{f['direct']:.0f} posted directly); "
        f"duplicates {f['duplicates']:.0f}, losses {f['losses']:.0f}, failed {f['failed']:.0f}, "
        f"still open {f['open']:.0f}; injected faults {f['injected']:.0f}, "
        f"429s {f['rate_limited']:.0f}; {f['real_seconds']:.0f} s of real time"
    )


if __name__ == "__main__":
    main()
