"""`/owner` ack latency while the outbox drains a 1 000-DM backlog, ÷ the same when idle.

Run by hand (not part of the test suite):

    .venv/bin/python -m bench.owner_during_backlog [--dms 1000] [--requests 300] [--db URL]

Serves the real app (its dispatcher started, as `rolecall serve` runs it) against a fake
Slack that enforces chat.postMessage's rate; measures `/owner roadmap` acks over one
keep-alive connection while idle, then enqueues `--dms` DMs in one transaction and
measures again while they are being sent. Goal: ratio of p50s ≤ 1.2.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import seed
from bench.ack_latency import SECRET, TEAM, USER, _measure
from bot.app import create_app
from bot.server import HttpServer
from bot.settings import Settings
from bot.slack_client import make_client
from domain.delivery import POST
from services import deliveries as outbox
from storage import deliveries
from storage.db import Database
from tests.fake_slack import FakeSlack


def main() -> None:
    """Seed, serve, measure idle and during the backlog, print both and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dms", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--db", help="SQLAlchemy URL (default: a fresh SQLite file)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="rolecall-bench-"))
    db = Database(args.db or f"sqlite:///{workdir / 'bench.db'}")
    db.upgrade()
    slack = FakeSlack(team_id=TEAM).start()
    people = [f"UFAN{n:05d}" for n in range(args.dms)]
    for person in people:
        slack.add_user(person, person.lower())
    slack.enforce_rate(POST, workspace=(3.5, 25), channel=(1.0, 5))
    settings = Settings(
        slack_bot_token="xoxb-bench", slack_signing_secret=SECRET, slack_api_url=slack.api_url
    )
    app, deps = create_app(settings, db, make_client(settings))
    seed.seed_all(db, deps.catalog, team=TEAM, admin=USER, tickets=0)
    assert deps.dispatcher is not None
    deps.dispatcher.start()
    server = HttpServer(app, deps, host="127.0.0.1", port=0).start()
    url = slack.response_url("bench")
    _measure(server.port, "/owner", "roadmap", 50, url)  # warm-up
    idle = _measure(server.port, "/owner", "roadmap", args.requests, url)
    with db.begin() as session:
        now = datetime.now(UTC)
        for person in people:
            outbox.dm(session, TEAM, f"bench:{person}", person, "hello", now=now)
    busy = _measure(server.port, "/owner", "roadmap", args.requests, url)
    with db.begin() as session:
        left = deliveries.open_count(session, TEAM)
    p50_idle, p50_busy = statistics.median(idle), statistics.median(busy)
    print(f"database: {db.engine.dialect.name}; {args.requests} sequential /owner each")
    print(f"idle                 p50={p50_idle:7.2f} ms")
    print(f"during {args.dms} DMs    p50={p50_busy:7.2f} ms  ({left} DMs still waiting after)")
    print(f"ratio {p50_busy / p50_idle:.3f} (goal ≤ 1.2)")
    server.close()
    deps.dispatcher.stop(timeout=1)
    deps.background.shutdown(wait=False)
    slack.stop()


if __name__ == "__main__":
    main()
