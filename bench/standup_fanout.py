"""A standup to N participants in one time zone, end to end: the due work (`run_standups`,
what `rolecall tick` runs) claims and enqueues every prompt, the dispatcher sends them to a
fake Slack enforcing chat.postMessage's rate.

Run by hand (not part of the test suite):

    .venv/bin/python -m bench.standup_fanout [--people 1000] [--fail 0.05] [--db URL]

Reports the time from the tick to the last prompt sent ÷ the floor the rate limit sets, and
duplicate and lost prompts (with `--fail`, that fraction of posts fail with a 500, half of
them after posting). The tick comes at the prompts' local time, so nothing is scheduled
ahead: every prompt is posted directly and the latest one's delay after its local time is
that whole time, ~N ÷ rate (bench.standup_scheduled measures the scheduled-ahead case).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import insert

from bench.delivery_fanout import finish
from bot.settings import DEFAULT_CATALOG, Settings
from bot.slack_client import make_delivery_client
from domain.catalog import load_catalog
from domain.delivery import DEFAULT_LIMITS, POST, Limit, MethodLimits
from handlers.background import Background
from handlers.clock import Clock
from handlers.delivery import Dispatcher, Pacer
from handlers.deps import Deps
from handlers.standup_jobs import run_standups, standup_kinds
from services.standup_schedules import add_schedule
from storage.db import Database
from storage.models import RoleAssignment, UserProfile
from tests.fake_slack import FakeSlack

TEAM = "T0001"
AT = datetime(2026, 3, 9, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai, a Monday


def _seed(db: Database, people: list[str]) -> None:
    rows = [
        {
            "team_id": TEAM,
            "user_id": p,
            "name": p.lower(),
            "tz": "Asia/Shanghai",
            "locale": "en-US",
            "is_admin": False,
            "is_bot": False,
            "deleted": False,
            "fetched_at": AT,
        }
        for p in people
    ]
    holders = [
        {
            "team_id": TEAM,
            "role_key": "tech-lead",
            "user_id": p,
            "assigned_by": "UADMIN",
            "assigned_at": AT,
        }
        for p in people
    ]
    with db.begin() as session:
        session.execute(insert(UserProfile), rows)
        session.execute(insert(RoleAssignment), holders)


def run(n: int, fail: float, db_url: str, rate: float, burst: float) -> dict[str, float]:
    """One standup's fan-out; returns its figures."""
    slack = FakeSlack(team_id=TEAM).start()
    slack.add_channel("C0GEN", "general")  # the digest's channel (Slack refuses unknown ones)
    people = [f"UP{k:05d}" for k in range(n)]
    for person in people:
        slack.add_user(person, person.lower(), tz="Asia/Shanghai")
    slack.enforce_rate(POST, workspace=(rate, burst), channel=(1.0, 5))
    if fail:
        slack.fail_randomly(POST, fail, seed=11)
    limits = dict(DEFAULT_LIMITS)
    limits[POST] = MethodLimits(workspace=Limit(rate, burst), channel=Limit(1.0, 5))
    db = Database(db_url)
    db.upgrade()
    settings = Settings(slack_bot_token="xoxb-bench", slack_api_url=slack.api_url)
    catalog = load_catalog(Path(DEFAULT_CATALOG))
    _seed(db, people)
    with db.begin() as session:
        add_schedule(
            session,
            TEAM,
            catalog,
            "standup",
            "all daily 09:30 <#C0GEN>",
            "UADMIN",
            AT - timedelta(days=1),
        )
    clock = Clock()
    clock.set(AT)
    deps = Deps(settings, db, catalog, clock, Background(), cast(Any, None))
    client = make_delivery_client(settings)
    sender = Dispatcher(db, client, kinds=standup_kinds(), pacer=Pacer(limits)).start()
    started = time.monotonic()
    made = run_standups(deps, cast(Any, None), AT)
    ticked = time.monotonic() - started
    took, copies, failed = finish(db, slack, sender, people, started)
    floor = max(made - burst, 0) / rate
    return {
        "enqueued": made,
        "tick": ticked,
        "seconds": took,
        "floor": floor,
        "ratio": took / floor if floor else 0.0,
        "duplicates": sum(c - 1 for c in copies.values() if c > 1),
        "losses": n - len(copies),
        "failed": failed,
        "injected": len(slack.failed_calls),
    }


def main() -> None:
    """Parse arguments, run, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--fail", type=float, default=0.0, help="fraction of posts failing")
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    default = DEFAULT_LIMITS[POST].workspace
    parser.add_argument("--rate", type=float, default=default.rate, help="posts a second")
    parser.add_argument("--burst", type=float, default=default.burst)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        f = run(args.people, args.fail, url, args.rate, args.burst)
    print(
        f"standup to {args.people} in one zone at {args.rate}/s (burst {args.burst:g}), "
        f"{args.fail:.0%} 5xx: tick {f['tick']:.2f} s ({f['enqueued']:.0f} deliveries "
        f"enqueued), all sent in {f['seconds']:.1f} s, floor {f['floor']:.1f} s, ratio "
        f"{f['ratio']:.3f}; latest prompt {f['seconds']:.0f} s after its local time; "
        f"injected faults {f['injected']:.0f}, duplicates {f['duplicates']:.0f}, "
        f"losses {f['losses']:.0f}, failed {f['failed']:.0f}"
    )


if __name__ == "__main__":
    main()
