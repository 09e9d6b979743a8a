"""A fan-out of DMs through the outbox against a fake Slack that enforces the rate limit.

Run by hand (not part of the test suite):

    .venv/bin/python -m bench.delivery_fanout [--dms 1000] [--fail 0.05] [--db URL]

Enqueues `--dms` DMs to as many people in one transaction, with the dispatcher running as
`rolecall serve` runs it (woken by the commit), against the fake Web API answering 429 to
any chat.postMessage beyond Slack's rate (the pacer's own numbers, `--rate` to change both).
Reports the time to send everything ÷ the floor the rate limit sets, the 429s Slack would
have answered, and duplicates and losses (with `--fail`, that fraction of the posts fail
with a 500, half of them after posting).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.settings import Settings
from bot.slack_client import make_delivery_client
from domain.delivery import DEFAULT_LIMITS, POST, Limit, MethodLimits
from handlers.delivery import Dispatcher, Pacer
from services import deliveries as outbox
from storage import deliveries
from storage.db import Database
from tests.fake_slack import FakeSlack

TEAM = "T0001"


def run(dms: int, fail: float, db_url: str, rate: float, burst: float) -> dict[str, float]:
    """One fan-out; returns its figures."""
    slack = FakeSlack(team_id=TEAM).start()
    people = [f"UFAN{n:05d}" for n in range(dms)]
    for person in people:
        slack.add_user(person, person.lower())
    slack.enforce_rate(POST, workspace=(rate, burst), channel=(1.0, 5))
    if fail:
        slack.fail_randomly(POST, fail, seed=11)
    limits = dict(DEFAULT_LIMITS)
    limits[POST] = MethodLimits(workspace=Limit(rate, burst), channel=Limit(1.0, 5))
    db = Database(db_url)
    db.upgrade()
    settings = Settings(slack_bot_token="xoxb-bench", slack_api_url=slack.api_url)
    sender = Dispatcher(db, make_delivery_client(settings), pacer=Pacer(limits)).start()
    started = time.monotonic()
    with db.begin() as session:
        now = datetime.now(UTC)
        for person in people:
            outbox.dm(session, TEAM, f"bench:{started}:{person}", person, "hello", now=now)
    took, copies, failed = finish(db, slack, sender, people, started)
    floor = max(dms - burst, 0) / rate
    return {
        "seconds": took,
        "floor": floor,
        "ratio": took / floor if floor else 0.0,
        "rate_limited": slack.rate_limited,
        "duplicates": sum(n - 1 for n in copies.values() if n > 1),
        "losses": dms - len(copies),
        "failed": failed,
        "injected": len(slack.failed_calls),
    }


def finish(
    db: Database, slack: FakeSlack, sender: Dispatcher, people: list[str], started: float
) -> tuple[float, Counter[str], int]:
    """Wait until the outbox is empty; then the seconds since `started`, how many copies of
    each delivery key reached the people's DMs, and how many deliveries failed for good."""
    while True:
        with db.begin() as session:
            if deliveries.open_count(session, TEAM) == 0:
                break
        time.sleep(0.2)
    took = time.monotonic() - started
    sender.stop()
    copies: Counter[str] = Counter()
    for person in people:
        for message in slack.messages(f"D{person}"):
            copies[message["metadata"]["event_payload"]["key"]] += 1
    with db.begin() as session:
        failed = deliveries.failed_count(session, TEAM)
    slack.stop()
    db.dispose()
    return took, copies, failed


def main() -> None:
    """Parse arguments, run, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dms", type=int, default=1000)
    parser.add_argument("--fail", type=float, default=0.0, help="fraction of posts failing")
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    default = DEFAULT_LIMITS[POST].workspace
    parser.add_argument("--rate", type=float, default=default.rate, help="posts a second")
    parser.add_argument("--burst", type=float, default=default.burst)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        figures = run(args.dms, args.fail, url, args.rate, args.burst)
    print(
        f"{args.dms} DMs at {args.rate}/s (burst {args.burst:g}), {args.fail:.0%} 5xx: "
        f"{figures['seconds']:.1f} s, floor {figures['floor']:.1f} s, "
        f"ratio {figures['ratio']:.3f}; 429s {figures['rate_limited']:.0f}, "
        f"injected faults {figures['injected']:.0f}, duplicates {figures['duplicates']:.0f}, "
        f"losses {figures['losses']:.0f}, failed {figures['failed']:.0f}"
    )


if __name__ == "__main__":
    main()
